using System.Globalization;

namespace Serverless.TestModels;

/// <summary>One generated churn customer (see <see cref="ChurnCustomers"/>): four features and the outcome.</summary>
public sealed record ChurnCustomer(int Tenure, double Charges, string Contract, double Noise, int Churned)
{
    /// <summary>The features as a JSON object, an instance of a <c>/predict</c> request.</summary>
    public string Instance => string.Create(CultureInfo.InvariantCulture,
        $$"""{"tenure":{{Tenure}},"charges":{{Charges}},"contract":"{{Contract}}","noise":{{Noise}}}""");

    /// <summary>The customer as a CSV row under <see cref="ChurnCustomers.CsvHeader"/>, newline included.</summary>
    public string CsvRow => string.Create(CultureInfo.InvariantCulture, $"{Tenure},{Charges},{Contract},{Noise},{Churned}\n");
}
