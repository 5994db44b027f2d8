using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Serverless.Functions.Http;

/// <summary>
/// Writes a value as JSON (<see cref="ApiJson.Options"/>) with a status code and optional headers, without MVC formatters;
/// alike as an <see cref="IActionResult"/> and as an <see cref="IResult"/>.
/// </summary>
public sealed class JsonBodyResult : IActionResult, IResult
{
    private readonly object _value;
    private readonly int _statusCode;
    private readonly IReadOnlyDictionary<string, string>? _headers;
    private readonly JsonSerializerOptions _options;

    /// <param name="options">How the value is written: <see cref="ApiJson.Options"/> unless a route speaks another dialect (MLflow's).</param>
    public JsonBodyResult(object value, int statusCode = StatusCodes.Status200OK, IReadOnlyDictionary<string, string>? headers = null,
        JsonSerializerOptions? options = null)
    {
        _value = value;
        _statusCode = statusCode;
        _headers = headers;
        _options = options ?? ApiJson.Options;
    }

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = _statusCode;
        response.ContentType = "application/json; charset=utf-8";
        if (_headers is not null)
        {
            foreach (var (name, value) in _headers)
            {
                response.Headers[name] = value;
            }
        }

        await JsonSerializer.SerializeAsync(response.Body, _value, _value.GetType(), _options, httpContext.RequestAborted);
    }
}
