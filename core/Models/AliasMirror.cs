namespace Serverless.Core.Models;

/// <summary>
/// An alias's mirror (shadow): <see cref="Percent"/> (1 to 100) of the requests the alias serves are copied to
/// <see cref="Version"/> and scored off the request path, never changing the primary's answer. Immutable.
/// </summary>
public sealed record AliasMirror(string Version, int Percent)
{
    /// <summary>For messages: <c>mirror '5' at 50 %</c>.</summary>
    public override string ToString() => $"mirror '{Version}' at {Percent} %";
}
