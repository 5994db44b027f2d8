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
}
