var builder = FunctionsApplication.CreateBuilder(args);
