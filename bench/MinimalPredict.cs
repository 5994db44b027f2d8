using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.ML.OnnxRuntime;

namespace Serverless.Bench;

/// <summary>
/// The records API's honest limit, sharing no code with the project: parse <c>{"instances":[{"f0":..,...}]}</c> with
/// <see cref="JsonDocument"/>, copy each row's features (looked up by name, in input order) into a pooled buffer, run
/// once, and write the answer the records API writes (<c>model_name</c>, <c>model_version</c>, <c>predictions</c>:
/// label, probability and scores of a binary classifier at threshold 0.5, or a regression's value) with
/// <see cref="Utf8JsonWriter"/> straight into the response. No validation beyond what the parse needs.
/// </summary>
public static class MinimalPredict
{
    public static async Task PredictAsync(HttpContext context, Dictionary<string, Model> models)
    {
        if (context.GetRouteValue("name") is not string name || !models.TryGetValue(name, out var model))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        var instances = document.RootElement.GetProperty("instances");
        var rows = instances.GetArrayLength();
        var width = model.Features.Length;
        var buffer = ArrayPool<float>.Shared.Rent(rows * width);
        try
        {
            var r = 0;
            foreach (var instance in instances.EnumerateArray())
            {
                for (var f = 0; f < width; f++)
                {
                    buffer[(r * width) + f] = instance.GetProperty(model.Features[f]).GetSingle();
                }

                r++;
            }

            using var tensor = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, rows * width), [rows, width]);
            using var results = model.Session.Run(model.RunOptions, model.InputNames, [tensor], model.OutputNames);
            var outputs = results[0].GetTensorDataAsSpan<float>();
            context.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
            writer.WriteStartObject();
            writer.WriteString("model_name", model.Name);
            writer.WriteString("model_version", "1");
            writer.WriteStartArray("predictions");
            for (r = 0; r < rows; r++)
            {
                writer.WriteStartObject();
                if (model.Binary)
                {
                    var positive = outputs[r];
                    var negative = 1f - positive;
                    var label = positive >= 0.5 ? 1 : 0;
                    writer.WriteNumber("label", label);
                    writer.WriteNumber("probability", label == 1 ? positive : negative);
                    writer.WriteStartArray("scores");
                    writer.WriteNumberValue(negative);
                    writer.WriteNumberValue(positive);
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteNumber("value", outputs[r]);
                }

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

    public sealed class Model(string name, InferenceSession session, string[] features, bool binary)
    {
        public string Name { get; } = name;

        public InferenceSession Session { get; } = session;

        public string[] Features { get; } = features;

        public bool Binary { get; } = binary;

        public RunOptions RunOptions { get; } = new();

        public string[] InputNames { get; } = [.. session.InputNames];

        public string[] OutputNames { get; } = [.. session.OutputNames];
    }
}
