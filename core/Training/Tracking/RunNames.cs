namespace Serverless.Core.Training.Tracking;

/// <summary>A name for a run created without one, as MLflow makes them (<c>adjective-noun-number</c>). Thread-safe.</summary>
public static class RunNames
{
    private static readonly string[] Adjectives = ["bold", "brave", "bright", "calm", "clever", "eager", "gentle", "keen", "lucky", "merry", "quiet", "swift"];
    private static readonly string[] Nouns = ["badger", "crane", "falcon", "fox", "hare", "heron", "lynx", "otter", "owl", "seal", "swan", "wolf"];

    public static string Generate() =>
        $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}-{Nouns[Random.Shared.Next(Nouns.Length)]}-{Random.Shared.Next(1000)}";
}
