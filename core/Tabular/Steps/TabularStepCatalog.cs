using Serverless.Core.Errors;
using Serverless.Core.Models;

namespace Serverless.Core.Tabular.Steps;

/// <summary>
/// The app's code steps by name (from DI: every <see cref="ITabularStep"/> registered with
/// <see cref="TabularStepServiceCollectionExtensions.AddTabularStep{TStep}"/>). Two steps with one name are a startup error.
/// Immutable; thread-safe.
/// </summary>
public sealed class TabularStepCatalog
{
    private readonly Dictionary<string, ITabularStep> _steps;

    public TabularStepCatalog(IEnumerable<ITabularStep> steps)
    {
        _steps = new Dictionary<string, ITabularStep>(StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (string.IsNullOrWhiteSpace(step.Name))
            {
                throw new InvalidOperationException($"Code step {step.GetType().Name} has no name.");
            }

            if (_steps.TryGetValue(step.Name, out var other) && !ReferenceEquals(other, step))
            {
                throw new InvalidOperationException($"Code steps {other.GetType().Name} and {step.GetType().Name} are both named '{step.Name}'; names must be unique.");
            }

            _steps[step.Name] = step;
        }
    }

    /// <summary>A catalog without code steps.</summary>
    public static TabularStepCatalog Empty { get; } = new([]);

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _steps.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Compiles the manifest's pre and post steps as registration does (expressions parsed once, typed and bounded; every code
    /// step registered, of its side, accepting the manifest; no pre step reading a feature only a later one derives) and throws
    /// BadRequest naming the step at the first mistake.
    /// </summary>
    public void Check(ModelManifest manifest) => _ = TabularSteps.Compile(manifest, null, this, checkOrder: true);

    /// <summary>The step registered as <paramref name="name"/>, or null.</summary>
    public ITabularStep? Get(string name) => _steps.GetValueOrDefault(name);

    /// <summary>What is registered, as an error message says it ("it has none", "it has 'a', 'b'").</summary>
    internal string Describe() => _steps.Count == 0 ? "it has none" : "it has " + string.Join(", ", Names.Take(20).Select(n => $"'{n}'"));

    internal ITabularPreStep FindPre(string name, string field) =>
        Find(name, field) as ITabularPreStep ?? throw ServingException.BadRequest($"Manifest field '{field}.step': code step '{name}' is not a pre step.");

    internal ITabularPostStep FindPost(string name, string field) =>
        Find(name, field) as ITabularPostStep ?? throw ServingException.BadRequest($"Manifest field '{field}.step': code step '{name}' is not a post step.");

    private ITabularStep Find(string name, string field) => _steps.GetValueOrDefault(name)
        ?? throw ServingException.BadRequest(
            $"Manifest field '{field}.step': no code step named '{FeatureBatch.Truncate(name)}' is registered in this app; {Describe()}.");
}
