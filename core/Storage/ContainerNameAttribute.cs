using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Storage;

/// <summary>
/// A setting that names a blob container must follow Azure's container naming rules (<see cref="DataPath.IsValidContainerName"/>,
/// the same check requests get), so a bad name stops the app at start-up instead of failing later with storage's XML.
/// Null is left to <see cref="RequiredAttribute"/>. Thread-safe.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ContainerNameAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null || (value is string name && DataPath.IsValidContainerName(name))
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.MemberName} must be a valid container name: {DataPath.ContainerNameRule} (was {DataText.Quote(value as string)}).",
                validationContext.MemberName is { } member ? [member] : []);
}
