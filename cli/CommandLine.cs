namespace Serverless.Cli;

/// <summary>
/// A parsed command line: <c>--name value</c> options and <c>--flag</c> switches, each declared by the command;
/// <c>--name=value</c> works too. Anything undeclared, a repeated option or a missing value throws a usage
/// <see cref="CliException"/>. Immutable.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _flags;

    private CommandLine(Dictionary<string, string> values, HashSet<string> flags)
    {
        _values = values;
        _flags = flags;
    }

    /// <summary>Parses <paramref name="args"/>; <paramref name="options"/> take a value, <paramref name="flags"/> do not (names without dashes).</summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenFlags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw CliException.ForUsage($"Unexpected argument '{arg}'.");
            }

            var name = arg[2..];
            string? inline = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            if (flags.Contains(name))
            {
                if (inline is not null)
                {
                    throw CliException.ForUsage($"Option --{name} takes no value.");
                }

                seenFlags.Add(name);
                continue;
            }

            if (!options.Contains(name))
            {
                throw CliException.ForUsage($"Unknown option '--{name}'.");
            }

            var value = inline;
            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw CliException.ForUsage($"Option --{name} needs a value.");
                }

                value = args[++i];
            }

            if (!values.TryAdd(name, value))
            {
                throw CliException.ForUsage($"Option --{name} is given more than once.");
            }
        }

        return new CommandLine(values, seenFlags);
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string option) => _values.GetValueOrDefault(option);

    public string Required(string option) => Value(option) ?? throw CliException.ForUsage($"Option --{option} is required.");
}
