namespace Serverless.Cli;

/// <summary>The CLI's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>The command ran: no drift, or drift without <c>--fail-on-drift</c>.</summary>
    public const int Success = 0;

    /// <summary>The data could not be used: a missing, empty or malformed file, headers that differ.</summary>
    public const int DataError = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or invalid value, unknown column named in an option.</summary>
    public const int UsageError = 2;

    /// <summary>With <c>--fail-on-drift</c>: the report was produced and the dataset drifted, so a CI step fails.</summary>
    public const int DriftFound = 3;
}
