using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Bench;

/// <summary>
/// The honest HTTP limit, sharing no code with the project: an ASP.NET Core minimal API on Kestrel (127.0.0.1, free
/// port) that parses the Open Inference Protocol body with <see cref="JsonDocument"/>, copies the first input's data
/// into a pooled buffer, runs the warm <see cref="InferenceSession"/> once through the <see cref="OrtValue"/> API and
/// writes a small answer (<c>model_name</c>, <c>id</c>, <c>outputs</c>) with <see cref="Utf8JsonWriter"/> straight
/// into the response. No validation beyond what the parse needs and no logging. Two hosts: the slim builder with
/// logging off (<see cref="StartAsync"/> with <c>fullPipeline: false</c>, the limit) and the full
/// <see cref="WebApplication.CreateBuilder()"/> host with its default services and logging providers at the usual
/// Warning level for ASP.NET Core (the framework's own cost).
/// </summary>
public sealed class MinimalEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MinimalEndpoint(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri InferUri(string model) => new(BaseAddress, $"v2/models/{model}/infer");

    public Uri PredictUri(string model) => new(BaseAddress, $"models/{model}/predict");

    /// <summary>
    /// Starts the endpoint over warm sessions; <paramref name="predict"/> names, per model, its features in input order and
    /// whether it is a binary classifier (else a regression), for the records route (<see cref="MinimalPredict"/>).
    /// </summary>
    public static async Task<MinimalEndpoint> StartAsync(IReadOnlyDictionary<string, InferenceSession> sessions, bool fullPipeline,
        IReadOnlyDictionary<string, (IReadOnlyList<string> Features, bool Binary)>? predict = null)
    {
        var builder = LoopbackApp.CreateBuilder("Serverless.Bench.MinimalEndpoint", fullPipeline);
        if (fullPipeline)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }
        else
        {
            builder.Logging.ClearProviders();
        }

        var app = builder.Build();
        var models = sessions.ToDictionary(s => s.Key, s => new Model(s.Key, s.Value));
        app.MapPost("/v2/models/{name}/infer", context => InferAsync(context, models));
        if (predict is not null)
        {
            var tabular = predict.ToDictionary(p => p.Key, p => new MinimalPredict.Model(p.Key, sessions[p.Key], [.. p.Value.Features], p.Value.Binary));
            app.MapPost("/models/{name}/predict", context => MinimalPredict.PredictAsync(context, tabular));
        }

        return new MinimalEndpoint(app, await LoopbackApp.StartAsync(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task InferAsync(HttpContext context, Dictionary<string, Model> models)
    {
        if (context.GetRouteValue("name") is not string name || !models.TryGetValue(name, out var model))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        var root = document.RootElement;
        var input = root.GetProperty("inputs")[0];
        var data = input.GetProperty("data");
        var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var count = data.GetArrayLength();
        var buffer = ArrayPool<float>.Shared.Rent(count);
        try
        {
            var i = 0;
            foreach (var value in data.EnumerateArray())
            {
                buffer[i++] = value.GetSingle();
            }

            using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, count), shape);
            using var results = model.Session.Run(model.RunOptions, model.InputNames, [tensor], model.OutputNames);
            context.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
            writer.WriteStartObject();
            writer.WriteString("model_name", model.Name);
            if (root.TryGetProperty("id", out var id))
            {
                writer.WriteString("id", id.GetString());
            }

            writer.WriteStartArray("outputs");
            for (var o = 0; o < results.Count; o++)
            {
                writer.WriteStartObject();
                writer.WriteString("name", model.OutputNames[o]);
                writer.WriteString("datatype", "FP32");
                writer.WriteStartArray("shape");
                foreach (var dimension in results[o].GetTensorTypeAndShape().Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data");
                foreach (var value in results[o].GetTensorDataAsSpan<float>())
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private sealed class Model(string name, InferenceSession session)
    {
        public string Name { get; } = name;

        public InferenceSession Session { get; } = session;

        public RunOptions RunOptions { get; } = new();

        public string[] InputNames { get; } = [.. session.InputNames];

        public string[] OutputNames { get; } = [.. session.OutputNames];
    }
}
