namespace Serverless.Core.Monitoring.Logging;

/// <summary>What a logged feature or output holds in one row (<see cref="LoggedColumn"/>): the JSON value kinds the log writes.</summary>
public enum LoggedKind : byte
{
    /// <summary>The row has no value of this name.</summary>
    Absent = 0,
    Null = 1,
    Number = 2,
    String = 3,
    True = 4,
    False = 5,

    /// <summary>An array of numbers (<see cref="LoggedColumn.Array"/>), such as the class scores.</summary>
    NumberArray = 6,

    /// <summary>Any other JSON (an object, or an array not all numbers), kept as its text (<see cref="LoggedColumn.Text"/>).</summary>
    Json = 7,
}
