namespace Serverless.Local.Hosting;

/// <summary>Finds the repository root (the folder with Serverless.sln) and the runner's git-ignored folders in it.</summary>
public static class RepositoryPaths
{
    public static string FindRoot(string? start = null)
    {
        foreach (var origin in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = origin is null ? null : new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>Where the runner installs tools and keeps emulator data: <c>{root}/.local</c> (git-ignored).</summary>
    public static string LocalFolder(string root) => Path.Combine(root, ".local");

    /// <summary>
    /// The built-in trainer built beside this runner (the runner's project references it, so building the runner
    /// builds it): <c>{root}/trainer/bin/{configuration}/{tfm}/Serverless.Trainer.dll</c>, the runner's own
    /// configuration first, else any that exists; null when none is built.
    /// </summary>
    public static string? TrainerDll(string root)
    {
        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = own.Name;
        var configuration = own.Parent?.Name ?? "Debug";
        return new[] { configuration, "Debug", "Release" }
            .Select(c => Path.Combine(root, "trainer", "bin", c, framework, "Serverless.Trainer.dll"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The torch trainer's entry point, <c>{root}/trainer-torch/train.py</c>; null when it is not there.</summary>
    public static string? TorchTrainer(string root)
    {
        var path = Path.Combine(root, "trainer-torch", "train.py");
        return File.Exists(path) ? path : null;
    }
}
