using System.Text.RegularExpressions;
using Serverless.Core.Errors;

namespace Serverless.Core.Registry;

/// <summary>
/// Syntax of model names, versions and aliases. They become blob paths and table keys, so they are kept to
/// letters, digits, '.', '-' and '_' (1 to 63 characters, starting with a letter or digit). Each check throws
/// <see cref="ServingException"/> (BadRequest); given the request <c>field</c> that holds the value, the message starts
/// with it.
/// </summary>
public static partial class ModelIdentifiers
{
    public static void ValidateName(string? name, string? field = null) => Validate(name, "model name", IdentifierPattern(), "a letter or digit", field);

    public static void ValidateVersion(string? version, string? field = null) => Validate(version, "version", IdentifierPattern(), "a letter or digit", field);

    /// <summary>Aliases start with a letter, so an alias can never be mistaken for a numeric version.</summary>
    public static void ValidateAlias(string? alias, string? field = null) => Validate(alias, "alias", AliasPattern(), "a letter", field);

    private static void Validate(string? value, string what, Regex pattern, string firstCharacter, string? field)
    {
        if (!string.IsNullOrEmpty(value) && pattern.IsMatch(value))
        {
            return;
        }

        var rule = $"1-63 letters, digits, '.', '-' or '_', starting with {firstCharacter}";
        throw ServingException.BadRequest(field is null
            ? $"Invalid {what} {Storage.DataText.Quote(value)}: use {rule}."
            : $"'{field}' must be a valid {what}: {rule} (was {Storage.DataText.Quote(value)}).");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();
}
