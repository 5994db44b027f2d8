using System.Net;
using System.Text;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>An attacker holding only an inference client's key tries to change production.</summary>
[Collection(AttackCollection.Name)]
public sealed class ClientKeyAttacks
{
    private readonly AttackFixture _target;

    public ClientKeyAttacks(AttackFixture target)
    {
        _target = target;
    }

    public static TheoryData<string, string, string> OperatorActions => new()
    {
        { "PUT", $"models/{AttackFixture.Model}/versions/2", "onnx" },
        { "DELETE", $"models/{AttackFixture.Model}/versions/1", "" },
        { "PUT", $"models/{AttackFixture.Model}/aliases/production", """{"version": "2"}""" },
        { "DELETE", $"models/{AttackFixture.Model}/aliases/production", "" },
        { "POST", $"models/{AttackFixture.Model}/aliases/production/rollback", """{"reason": "attacker"}""" },
        { "GET", $"models/{AttackFixture.Model}/aliases/production/history", "" },
        { "PUT", $"models/{AttackFixture.Model}/aliases/production/rollout", """{"version": "1", "steps": [100]}""" },
        { "DELETE", $"models/{AttackFixture.Model}/aliases/production/rollout", "" },
        { "POST", "rollouts/runs", "" },
        { "PUT", $"models/{AttackFixture.Model}/versions/1/baseline", "f0,f1,f2\n1,2,3\n" },
        { "POST", $"models/{AttackFixture.Model}/feedback", """[{"id": "x", "actual": 1}]""" },
        { "POST", "orchestrations/batch-scoring", """{"input": "data/in.csv", "model": "victim", "output": "scores/out"}""" },
        { "POST", "orchestrations/training-sweeps", """{"dataset": "training/t.csv", "target": "y", "task": "binary", "metric": "auc", "algorithms": [{"name": "sdca"}], "model_name": "victim"}""" },
        { "POST", "orchestrations/any-instance/terminate", "" },
        { "POST", "monitoring/runs", """{"model": "victim"}""" },
        { "GET", "models", "" },
        { "GET", $"models/{AttackFixture.Model}/versions/1/baseline", "" },
        { "GET", $"models/{AttackFixture.Model}/monitoring/reports/latest", "" },
    };

    [Theory]
    [MemberData(nameof(OperatorActions))]
    public async Task ClientKey_OnAnOperatorRoute_Is401AndChangesNothing(string method, string path, string body)
    {
        var content = body == "onnx"
            ? new ByteArrayContent(ReferenceModels.LogisticRegression(features: 3, seed: 9))
            : body.Length == 0 ? null : new StringContent(body, Encoding.UTF8, "application/json");

        await Attack.RefusedAsync(_target, () => _target.Client.SendAsync(new HttpMethod(method), path, content), HttpStatusCode.Unauthorized, errorNames: null);
    }
}
