using Serverless.Core.Errors;
using Serverless.Core.Storage;
using Serverless.Core.Training.Runners;
using Serverless.Functions.Http;
using Serverless.Orchestrations.Training;

namespace Serverless.Functions.Training;

/// <summary>Reads the JSON body that starts a training sweep (snake_case fields) and validates it (<see cref="TrainingSweepRequestValidator"/>).</summary>
internal static class TrainingSweepRequestReader
{
    public static TrainingSweepRequest Read(ReadOnlyMemory<byte> body, TrainingOptions options, DataContainers containers)
    {
        var request = ApiJson.Read<TrainingSweepRequest>(body.Span);
        return TrainingSweepRequestValidator.Validate(request ?? throw ServingException.BadRequest("The body must be a JSON object."), options, containers);
    }
}
