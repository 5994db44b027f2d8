using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Functions;
using Serverless.Functions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();

builder.Services.AddFunctionApp(builder.Configuration);
builder.Services.AddFunctionTelemetry(builder.Configuration);

builder.Build().Run();
