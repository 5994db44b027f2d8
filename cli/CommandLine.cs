using System.Globalization;

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

    private CommandLine(Dictionary<string, string> values, HashSet<string> flags, IReadOnlyList<string> positionals)
    {
        _values = values;
        _flags = flags;
        Positionals = positionals;
    }

    /// <summary>The leading arguments before the first option (files, blob paths), when the command takes them.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>
    /// Parses leading positional arguments (at most <paramref name="maxPositionals"/>, at least <paramref name="minPositionals"/>
    /// unless --help is given), then options and flags as <see cref="Parse(IReadOnlyList{string}, IReadOnlyCollection{string}, IReadOnlyCollection{string})"/>.
    /// </summary>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string> flags, int minPositionals, int maxPositionals)
    {
        var count = 0;
        while (count < args.Count && count < maxPositionals && !args[count].StartsWith("--", StringComparison.Ordinal))
        {
            count++;
        }

        var line = Parse(args.Skip(count).ToList(), options, flags);
        var result = new CommandLine(line._values, line._flags, args.Take(count).ToList());
        if (count < minPositionals && !result.Has("help"))
        {
            throw CliException.ForUsage($"Expected {minPositionals} argument{(minPositionals == 1 ? "" : "s")} before the options, got {count}.");
        }

        return result;
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

        return new CommandLine(values, seenFlags, []);
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string option) => _values.GetValueOrDefault(option);

    /// <summary>The option as a whole number in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    public int Integer(string option, int fallback, int min, int max)
    {
        if (Value(option) is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw CliException.ForUsage($"--{option} must be a whole number from {min:N0} to {max:N0}, not '{text}'.");
    }

    public string Required(string option) => Value(option) ?? throw CliException.ForUsage($"Option --{option} is required.");
}
