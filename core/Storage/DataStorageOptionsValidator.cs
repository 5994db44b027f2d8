using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Serverless.Core.Storage;

/// <summary>
/// Checks <see cref="DataStorageOptions.DataContainers"/> at start-up: each a valid Azure container name, and none
/// a container the app or its host owns (<see cref="AppStorageNames"/>), so no request can ever reach those.
/// Each failure names the setting. Stateless; thread-safe.
/// </summary>
public sealed class DataStorageOptionsValidator : IValidateOptions<DataStorageOptions>
{
    private readonly IConfiguration _configuration;

    public DataStorageOptionsValidator(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, DataStorageOptions options)
    {
        var failures = Check(options.EffectiveDataContainers, AppStorageNames.FromConfiguration(_configuration));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The problems with <paramref name="containers"/> as data containers, one message each.</summary>
    public static List<string> Check(IEnumerable<string> containers, AppStorageNames app)
    {
        var failures = new List<string>();
        foreach (var container in containers)
        {
            if (!DataPath.IsValidContainerName(container))
            {
                failures.Add($"{DataStorageOptions.DataContainersSetting} lists {DataText.Quote(container)}, which is not a valid container name " +
                             $"({DataPath.ContainerNameRule}).");
            }
            else if (app.IsAppContainer(container))
            {
                failures.Add($"{DataStorageOptions.DataContainersSetting} lists '{container}', a container the app itself uses " +
                             $"(app containers: {string.Join(", ", app.Containers)}; prefixes {string.Join(", ", app.ContainerPrefixes)}); " +
                             "requests must never reach it.");
            }
        }

        return failures;
    }
}
