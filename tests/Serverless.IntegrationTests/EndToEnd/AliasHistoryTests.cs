using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Serverless.Core.Errors;
using Serverless.Core.Models;
using Serverless.Core.Onnx;
using Serverless.Core.Registry;
using Serverless.IntegrationTests.Support;
using Serverless.Local.Hosting;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.EndToEnd;

/// <summary>
/// Alias history on Azurite: each move commits in one transaction with its alias change (a refused change leaves no
/// move behind), rows sort newest first beside the registry's own, concurrent rollbacks never land on the same state;
/// and over the runner: set, set, rollback, history.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AliasHistoryTests
{
    private readonly StackFixture _stack;

    public AliasHistoryTests(StackFixture stack)
    {
        _stack = stack;
    }

    [Fact]
    public async Task Moves_AreStoredBesideTheAlias_NewestFirst_AndTheRegistryListingsIgnoreThem()
    {
        var (registry, table) = await RegistryWithVersionsAsync("hist", 3);
        await registry.SetAliasAsync("hist", "production", "1", null, new AliasMoveNote("admin key", "first"), default);
        await registry.SetAliasAsync("hist", "production", "2", null, new AliasMoveNote("admin key"), default);
        await registry.RollbackAliasAsync("hist", "production", null, new AliasMoveNote("alice", "bad"), default);
        await registry.DeleteAliasAsync("hist", "production", null, new AliasMoveNote("alice"), default);

        var history = await registry.GetAliasHistoryAsync("hist", "production", 100, default);
        var rows = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == "hist"))
        {
            rows.Add(row.RowKey);
        }

        var models = await registry.ListModelsAsync(default);

        Assert.Equal([AliasMoveKind.Delete, AliasMoveKind.Rollback, AliasMoveKind.Set, AliasMoveKind.Set], history.Moves.Select(m => m.Kind));
        Assert.Equal([("1", null), ("2", "1"), ("1", "2"), (null, "1")], history.Moves.Select(m => (m.FromVersion, m.ToVersion)));
        var moveRows = rows.Where(r => r.StartsWith("m_production:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, moveRows.Count);
        Assert.Equal(moveRows.Order(StringComparer.Ordinal), moveRows);
        Assert.Equal(["1", "2", "3"], Assert.Single(models, m => m.Name == "hist").Versions);
        Assert.Empty(await registry.ListAliasesAsync("hist", default));
    }

    [Fact]
    public async Task RefusedMove_StaleIfMatch_LeavesNoMoveBehind()
    {
        var (registry, _) = await RegistryWithVersionsAsync("refused", 2);
        await registry.SetAliasAsync("refused", "production", "1", null, AliasMoveNote.Unknown, default);
        var stale = (await registry.GetAliasAsync("refused", "production", default))!.ETag;
        await registry.SetAliasAsync("refused", "production", "2", stale, AliasMoveNote.Unknown, default);

        var error = await Assert.ThrowsAsync<ServingException>(() => registry.SetAliasAsync("refused", "production", "1", stale, AliasMoveNote.Unknown, default));
        var deleteError = await Assert.ThrowsAsync<ServingException>(() => registry.DeleteAliasAsync("refused", "production", stale, AliasMoveNote.Unknown, default));

        Assert.Equal(ServingErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(ServingErrorKind.PreconditionFailed, deleteError.Kind);
        Assert.Equal(2, (await registry.GetAliasHistoryAsync("refused", "production", 100, default)).Moves.Count);
        Assert.Equal("2", (await registry.GetAliasAsync("refused", "production", default))!.Version);
    }

    [Fact]
    public async Task ConcurrentRollbacks_OnStorage_EachLandsOnADifferentState_TheRestAreConflicts()
    {
        var (registry, _) = await RegistryWithVersionsAsync("racing", 6);
        foreach (var version in new[] { "1", "2", "3", "4", "5", "6" })
        {
            await registry.SetAliasAsync("racing", "production", version, null, AliasMoveNote.Unknown, default);
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                return (Alias: await registry.RollbackAliasAsync("racing", "production", null, new AliasMoveNote($"racer {i}"), default), Error: (ServingException?)null);
            }
            catch (ServingException e)
            {
                return (Alias: (ModelAlias?)null, Error: e);
            }
        }));

        var landed = outcomes.Where(o => o.Alias is not null).ToList();
        var rollbacks = (await registry.GetAliasHistoryAsync("racing", "production", 100, default)).Moves.Where(m => m.Kind == AliasMoveKind.Rollback).ToList();
        Assert.NotEmpty(landed);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Equal(ServingErrorKind.Conflict, o.Error!.Kind));
        Assert.Equal(landed.Count, rollbacks.Count);
        Assert.Equal(rollbacks.Count, rollbacks.Select(m => m.FromVersion).Distinct().Count());
        Assert.Equal((6 - landed.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
            (await registry.GetAliasAsync("racing", "production", default))!.Version);
    }

    [Fact]
    public async Task OverTheRunner_SetSetRollback_HistoryListsTheMovesWithCallerAndReason()
    {
        const string name = "alias-history-e2e";
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{name}/versions/1", ReferenceModels.LogisticRegression(features: 3, seed: 1))).Status);
        Assert.Equal(HttpStatusCode.Created, (await _stack.Client.PutBytesAsync($"models/{name}/versions/2", ReferenceModels.LogisticRegression(features: 3, seed: 2))).Status);

        var first = await _stack.Client.PutJsonAsync($"models/{name}/aliases/production", """{"version": "1", "reason": "initial release"}""");
        var second = await _stack.Client.PutJsonAsync($"models/{name}/aliases/production", """{"version": "2"}""");
        var stale = await _stack.Client.SendAsync(HttpMethod.Post, $"models/{name}/aliases/production/rollback", null,
            new Dictionary<string, string> { ["If-Match"] = first.Json.GetProperty("etag").GetString()! });
        var rollback = await _stack.Client.SendAsync(HttpMethod.Post, $"models/{name}/aliases/production/rollback",
            new StringContent("""{"reason": "error rate doubled"}""", System.Text.Encoding.UTF8, "application/json"),
            new Dictionary<string, string> { ["If-Match"] = second.Json.GetProperty("etag").GetString()! });
        var nothingLeft = await _stack.Client.SendAsync(HttpMethod.Post, $"models/{name}/aliases/production/rollback");
        var history = await _stack.Client.GetJsonAsync($"models/{name}/aliases/production/history");
        var page = await _stack.Client.GetJsonAsync($"models/{name}/aliases/production/history?limit=1");
        var alias = await _stack.Client.GetJsonAsync($"models/{name}/aliases/production");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal(HttpStatusCode.OK, rollback.Status);
        Assert.Equal("1", rollback.Json.GetProperty("version").GetString());
        Assert.Equal(rollback.Response.Headers.ETag?.ToString(), rollback.Json.GetProperty("etag").GetString());
        Assert.Equal(alias.Json.GetProperty("etag").GetString(), rollback.Json.GetProperty("etag").GetString());
        Assert.Equal(HttpStatusCode.Conflict, nothingLeft.Status);
        Assert.Equal("conflict", nothingLeft.Json.GetProperty("code").GetString());
        Assert.Contains("nothing to roll back to", nothingLeft.Error);
        Assert.Equal(HttpStatusCode.OK, history.Status);
        Assert.Equal((name, "production", false), (history.Json.GetProperty("name").GetString(), history.Json.GetProperty("alias").GetString(), history.Json.GetProperty("more").GetBoolean()));
        var moves = history.Json.GetProperty("moves").EnumerateArray()
            .Select(m => (m.GetProperty("kind").GetString(), Text(m, "from_version"), Text(m, "to_version"), m.GetProperty("by").GetString(), Text(m, "reason")))
            .ToList();
        Assert.Equal(
            [("rollback", "2", "1", "anonymous", "error rate doubled"), ("set", "1", "2", "anonymous", null), ("set", null, "1", "anonymous", "initial release")],
            moves);
        Assert.True(page.Json.GetProperty("more").GetBoolean());
        Assert.Single(page.Json.GetProperty("moves").EnumerateArray());
    }

    [Fact]
    public async Task OverARunnerThatRequiresKeys_TheMoveIsByTheAdminKey_NeverTheKeyItself()
    {
        const string masterKey = "alias-history-master-key";
        await using var host = await LocalFunctionHost.StartAsync(_stack.RunnerOptions(requireKeys: true) with { FunctionKey = "alias-history-client", MasterKey = masterKey });
        using var client = new HttpClient { BaseAddress = new Uri(host.BaseAddress, host.RoutePrefix + "/") };
        client.DefaultRequestHeaders.Add("x-functions-key", masterKey);
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-NAME", "forged@contoso.com");
        await StackFixture.WaitUntilReadyAsync(client);
        const string name = "alias-history-keys";
        await client.PutBytesAsync($"models/{name}/versions/1", ReferenceModels.LogisticRegression(features: 3, seed: 1));

        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"models/{name}/aliases/production", """{"version": "1"}""")).Status);
        var history = await client.GetJsonAsync($"models/{name}/aliases/production/history");

        var move = Assert.Single(history.Json.GetProperty("moves").EnumerateArray());
        Assert.Equal("admin key", move.GetProperty("by").GetString());
        Assert.DoesNotContain(masterKey, history.Json.GetRawText());
    }

    [Theory]
    [InlineData("""{"version": "1", "reason": 5}""")]
    [InlineData("""{"version": "1", "reason": ["why"]}""")]
    [InlineData("LONG")]
    public async Task OverTheRunner_PutWithABadReason_Is400NamingItAndMovesNothing(string body)
    {
        const string name = "alias-reason-e2e";
        await _stack.Client.PutBytesAsync($"models/{name}/versions/1", ReferenceModels.LogisticRegression(features: 3, seed: 1));
        body = body == "LONG" ? $$"""{"version": "1", "reason": "{{new string('r', 501)}}"}""" : body;

        var answer = await _stack.Client.PutJsonAsync($"models/{name}/aliases/production", body);
        var history = await _stack.Client.GetJsonAsync($"models/{name}/aliases/production/history");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("'reason'", answer.Error);
        Assert.Equal(HttpStatusCode.NotFound, history.Status);
    }

    private static string? Text(System.Text.Json.JsonElement move, string field) =>
        move.GetProperty(field).ValueKind == System.Text.Json.JsonValueKind.Null ? null : move.GetProperty(field).GetString();

    private async Task<(ModelRegistry Registry, TableClient Table)> RegistryWithVersionsAsync(string name, int versions)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var table = new TableClient(_stack.ConnectionString, "aliashistory" + suffix);
        var registry = new ModelRegistry(new BlobContainerClient(_stack.ConnectionString, "models-" + suffix), table, new OnnxModelInspector(), TimeProvider.System);
        for (var i = 1; i <= versions; i++)
        {
            await registry.RegisterAsync(name, i.ToString(System.Globalization.CultureInfo.InvariantCulture), ReferenceModels.LogisticRegression(features: 3, seed: i), null, default);
        }

        return (registry, table);
    }
}
