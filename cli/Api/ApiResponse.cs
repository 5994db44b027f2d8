using System.Net;
using System.Text.Json;

namespace Serverless.Cli.Api;

/// <summary>An API answer: status, body bytes (JSON parsed when it is JSON), and the headers the CLI uses. Immutable.</summary>
public sealed record ApiResponse(HttpStatusCode Status, byte[] Body, JsonElement? Json, string? ETag, string? Location)
{
    /// <summary>The JSON body; an API answer that should be JSON and is not is a refusal the user sees.</summary>
    public JsonElement Root => Json ?? throw new CliException(ExitCodes.ApiRefused, $"HTTP {(int)Status}: the API answered something other than JSON.");
}
