using Serverless.Core.Errors;
using Serverless.Core.Registry;

namespace Serverless.Core.Graphs;

/// <summary>
/// A graph node's member model: <c>name@version</c> (pinned), <c>name:alias</c> (resolved when the graph is served, so
/// moving the alias changes the graph) or <c>name</c> (as the unversioned infer route: the default alias, else the latest).
/// </summary>
public readonly record struct GraphMemberRef(string Model, string? Version, string? Alias)
{
    public bool IsPinned => Version is not null;

    public static GraphMemberRef Parse(string? text, string node)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw ServingException.BadRequest($"Graph node '{node}' names no model: set 'model' to name@version, name:alias or name.");
        }

        var at = text.IndexOf('@');
        var colon = text.IndexOf(':');
        var field = $"nodes.{node}.model";
        if (at >= 0 && colon >= 0)
        {
            throw ServingException.BadRequest($"Graph node '{node}' model {Storage.DataText.Quote(text)} has both '@' and ':': use name@version or name:alias.");
        }

        var cut = at >= 0 ? at : colon;
        var name = cut >= 0 ? text[..cut] : text;
        ModelIdentifiers.ValidateName(name, field);
        if (at >= 0)
        {
            ModelIdentifiers.ValidateVersion(text[(at + 1)..], field);
            return new GraphMemberRef(name, text[(at + 1)..], null);
        }

        if (colon >= 0)
        {
            ModelIdentifiers.ValidateAlias(text[(colon + 1)..], field);
            return new GraphMemberRef(name, null, text[(colon + 1)..]);
        }

        return new GraphMemberRef(name, null, null);
    }

    public override string ToString() => Version is not null ? $"{Model}@{Version}" : Alias is not null ? $"{Model}:{Alias}" : Model;
}
