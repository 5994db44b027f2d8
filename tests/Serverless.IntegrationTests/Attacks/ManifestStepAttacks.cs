using System.Net;
using Serverless.IntegrationTests.Attacks.Support;
using Serverless.IntegrationTests.Support;
using Serverless.TestModels;

namespace Serverless.IntegrationTests.Attacks;

/// <summary>
/// Manifests whose pre and post steps carry hostile expressions: huge, deeply nested, unknown functions, reflection and
/// escape attempts, names the app does not have. Each is refused at registration (400 naming the step, without echoing
/// the expression), the runner stays flat, and nothing is stored.
/// </summary>
[Collection(AttackCollection.Name)]
public sealed class ManifestStepAttacks
{
    private const string Version = "models/" + AttackFixture.Model + "/versions/1/manifest";

    private readonly AttackFixture _target;

    public ManifestStepAttacks(AttackFixture target)
    {
        _target = target;
    }

    private static string WithPost(string when) => Steps("post", $$"""{"kind": "rule", "when": "{{when}}", "annotation": "x"}""");

    private static string Steps(string side, string steps)
    {
        var manifest = ReferenceManifests.LogisticRegression(features: 3);
        return manifest[..manifest.LastIndexOf('}')] + $", \"{side}\": [{steps}]}}";
    }

    public static TheoryData<string, string> HostileManifests => new()
    {
        { WithPost(string.Concat(Enumerable.Repeat("f0 + ", 150_000)) + "1"), "post[0].when" },
        { WithPost(string.Concat(Enumerable.Repeat("abs(", 150)) + "f0" + new string(')', 150) + " > 1"), "nests deeper than" },
        { WithPost(new string('!', 500) + "true"), "nests deeper than" },
        { WithPost("in(f0, " + string.Join(",", Enumerable.Repeat("1", 400)) + ")"), "more than 200 operations" },
        { WithPost("Sin(f0) > 1"), "not an allowed function" },
        { WithPost("GetType(f0) == 'System.String'"), "not an allowed function" },
        { WithPost("System.IO.File.ReadAllText('/etc/passwd') == ''"), "cannot be parsed" },
        { WithPost("f0.GetType().Assembly == 1"), "cannot be parsed" },
        { WithPost("[System.Environment] > 1"), "not a feature" },
        { WithPost("[" + new string('n', 5_000) + "] > 1"), "post[0].when" },
        { WithPost("#2024-01-01# == 1"), "post[0].when" },
        { WithPost("f0 & 1 == 1"), "BitwiseAnd" },
        { Steps("pre", """{"kind": "derive", "feature": "f0", "expression": "Evaluate('1 + 1')"}"""), "pre[0].expression" },
        { Steps("post", """{"kind": "code", "step": "System.Diagnostics.Process"}"""), "post[0].step" },
        { Steps("pre", """{"kind": "code", "step": "confidence_band"}"""), "not a pre step" },
        { Steps("post", string.Join(",", Enumerable.Repeat("""{"kind": "rule", "when": "true", "annotation": "x"}""", 100))), "more than 64 steps" },
    };

    [Theory]
    [MemberData(nameof(HostileManifests))]
    public async Task Register_HostileSteps_Is400NamingTheStep_WithoutEchoingIt(string body, string errorNames)
    {
        var answer = await Attack.RefusedAsync(_target, () => _target.Operator.PutJsonAsync(Version, body), HttpStatusCode.BadRequest, errorNames);

        Assert.True(answer.Error.Length < 600, answer.Error);
    }
}
