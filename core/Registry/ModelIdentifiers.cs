using System.Text.RegularExpressions;
using Serverless.Core.Errors;

namespace Serverless.Core.Registry;

/// <summary>
/// Syntax of model names, versions and aliases. They become blob paths and table keys, so they are kept to
/// letters, digits, '.', '-' and '_' (1 to 63 characters, starting with a letter or digit).
/// </summary>
public static partial class ModelIdentifiers
{
    public static void ValidateName(string? name) => Validate(name, "model name", IdentifierPattern(), "a letter or digit");

    public static void ValidateVersion(string? version) => Validate(version, "version", IdentifierPattern(), "a letter or digit");

    /// <summary>Aliases start with a letter, so an alias can never be mistaken for a numeric version.</summary>
    public static void ValidateAlias(string? alias) => Validate(alias, "alias", AliasPattern(), "a letter");

    private static void Validate(string? value, string what, Regex pattern, string firstCharacter)
    {
        if (string.IsNullOrEmpty(value) || !pattern.IsMatch(value))
        {
            throw ServingException.BadRequest(
                $"Invalid {what} {Storage.DataText.Quote(value)}: use 1-63 letters, digits, '.', '-' or '_', starting with {firstCharacter}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
