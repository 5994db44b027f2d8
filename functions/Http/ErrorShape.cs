namespace Serverless.Functions.Http;

/// <summary>The body an error answer has: the app's own, or MLflow's on its REST API's routes.</summary>
public enum ErrorShape
{
    /// <summary><c>{"error": "...", "code": "..."}</c> (<see cref="ApiError"/>).</summary>
    Api,

    /// <summary><c>{"error_code": "...", "message": "..."}</c> (<see cref="MlflowError"/>) with MLflow's status codes.</summary>
    Mlflow,
}
