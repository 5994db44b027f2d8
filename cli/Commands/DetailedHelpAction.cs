using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Serverless.Cli.Commands;

/// <summary>The help System.CommandLine writes, then the command's details (the root's exit codes, drift's tests) when it has some. Stateless.</summary>
public sealed class DetailedHelpAction : SynchronousCommandLineAction
{
    private readonly HelpAction _inner;
    private readonly IReadOnlyDictionary<Command, string> _details;

    public DetailedHelpAction(HelpAction inner, IReadOnlyDictionary<Command, string> details)
    {
        _inner = inner;
        _details = details;
    }

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var code = _inner.Invoke(parseResult);
        if (_details.TryGetValue(parseResult.CommandResult.Command, out var details))
        {
            parseResult.InvocationConfiguration.Output.Write(details.TrimEnd() + "\n\n");
        }

        return code;
    }
}
