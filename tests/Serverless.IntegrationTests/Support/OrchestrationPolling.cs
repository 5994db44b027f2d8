using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs;

namespace Serverless.IntegrationTests.Support;

/// <summary>Starting orchestrations over HTTP and polling the status route until they end, and uploading their input blobs.</summary>
public static class OrchestrationPolling
{
    /// <summary>POSTs <paramref name="body"/> to a start route (asserting 202) and waits for the instance to end.</summary>
    public static async Task<JsonElement> StartAndWaitAsync(HttpClient client, string path, string body, TimeSpan timeout, List<JsonElement>? progress = null)
    {
        var start = await client.PostJsonAsync(path, body);
        Assert.True(start.Status == HttpStatusCode.Accepted, $"{start.Status}: {start.Body}");
        return await WaitAsync(client, start.Json.GetProperty("id").GetString()!, timeout, progress);
    }

    /// <summary>The status once the instance is Completed, Failed or Terminated; each custom status seen on the way goes to <paramref name="progress"/>.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, string instanceId, TimeSpan timeout, List<JsonElement>? progress = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await client.GetJsonAsync($"orchestrations/{instanceId}");
            Assert.Equal(HttpStatusCode.OK, status.Status);
            if (status.Json.TryGetProperty("custom_status", out var custom))
            {
                progress?.Add(custom.Clone());
            }

            var runtime = status.Json.GetProperty("runtime_status").GetString();
            if (runtime is "Completed" or "Failed" or "Terminated")
            {
                return status.Json;
            }

            Assert.True(DateTime.UtcNow < deadline, $"orchestration {instanceId} still {runtime}: {status.Json}");
            await Task.Delay(250);
        }
    }

    /// <summary>Uploads <paramref name="content"/> as blob <paramref name="name"/> of <paramref name="container"/>, creating the container.</summary>
    public static async Task UploadAsync(string connectionString, string container, string name, string content)
    {
        var client = new BlobContainerClient(connectionString, container);
        await client.CreateIfNotExistsAsync();
        await client.GetBlobClient(name).UploadAsync(BinaryData.FromString(content), overwrite: true);
    }
}
