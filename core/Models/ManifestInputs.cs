namespace Serverless.Core.Models;

/// <summary>The manifest's <c>inputs</c>: the layout and, for <see cref="InputLayout.Tensor"/>, the input's name.</summary>
public sealed record ManifestInputs(InputLayout Layout, string? Name = null);
