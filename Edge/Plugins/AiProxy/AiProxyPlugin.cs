using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiProxy;

/// <summary>
/// Kong's ai-proxy: clients speak OpenAI's API and the route's LLM provider answers, translated both ways,
/// streams included; the provider's credential comes from here; tokens are metered per consumer, service and model.
/// </summary>
internal sealed class AiProxyPlugin(ILoggerFactory loggers) : IGatewayPlugin
{
    private static readonly string[] RouteTypes = ["llm/v1/chat", "llm/v1/completions", "preserve"];
    private static readonly string[] Streaming = ["allow", "deny", "always"];
    private static readonly string[] ParamLocations = ["query", "body"];
    private static readonly string[] LlmFormats = ["openai"];
    private static readonly string[] Llama2Formats = ["ollama", "openai"];
    private static readonly string[] MistralFormats = ["openai", "ollama"];

    /// <summary>The highest input_cost or output_cost taken (per million tokens): keeps a request's cost in range.</summary>
    private const double MaxCost = 1_000_000;

    private readonly ILogger _logger = loggers.CreateLogger("Turnpike.Edge.Plugins.AiProxy");

    public string Name => "ai-proxy";

    public int Priority => 770;

    public string Version => "1.0.0";

    public JsonObject DescribeConfig() => new() { ["type"] = "record", ["fields"] = new JsonArray() }; // TEMP

    public JsonObject ReadConfig(FieldReader config)
    {
        var routeType = config.OneOf("route_type", RouteTypes, required: true);
        var auth = ReadAuth(config, config.Record("auth"));
        var model = config.Record("model");
        if (model is null && !config.Has("model"))
        {
            config.Error("model", "required field missing");
        }

        var modelJson = model is null ? null : ReadModel(config, model);
        var result = new JsonObject
        {
            ["route_type"] = routeType,
            ["auth"] = auth,
            ["model"] = modelJson,
            ["response_streaming"] = config.OneOf("response_streaming", Streaming) ?? "allow",
            ["model_name_header"] = config.Boolean("model_name_header") ?? true,
            ["max_request_body_size"] = config.Integer("max_request_body_size", 0, int.MaxValue) ?? AiRequest.DefaultMaxBodyBytes,
            ["llm_format"] = config.OneOf("llm_format", LlmFormats) ?? "openai",
            ["logging"] = ReadLogging(config.Record("logging")),
        };
        config.RejectUnknown();
        return result;
    }

    public IPluginHandler CreateHandler(JsonObject config, Guid instanceId)
    {
        var model = config["model"]!;
        var options = model["options"]!;
        var auth = config["auth"]!;
        var provider = LlmProviders.Get(model["provider"]!.GetValue<string>(), options["llama2_format"]?.GetValue<string>(), options["mistral_format"]?.GetValue<string>());
        var settings = new AiProxySettings(
            config["route_type"]!.GetValue<string>() switch
            {
                "llm/v1/completions" => LlmRouteType.Completions,
                "preserve" => LlmRouteType.Preserve,
                _ => LlmRouteType.Chat,
            },
            new LlmModel
            {
                Provider = model["provider"]!.GetValue<string>(),
                Name = model["name"]?.GetValue<string>(),
                AllowOverride = model["allow_override"]!.GetValue<bool>(),
                MaxTokens = options["max_tokens"]?.GetValue<int>(),
                Temperature = options["temperature"]?.GetValue<double>(),
                TopP = options["top_p"]?.GetValue<double>(),
                TopK = options["top_k"]?.GetValue<int>(),
                InputCost = options["input_cost"]?.GetValue<double>() ?? 0,
                OutputCost = options["output_cost"]?.GetValue<double>() ?? 0,
                AnthropicVersion = options["anthropic_version"]!.GetValue<string>(),
                AzureInstance = options["azure_instance"]?.GetValue<string>(),
                AzureDeploymentId = options["azure_deployment_id"]?.GetValue<string>(),
                AzureApiVersion = options["azure_api_version"]!.GetValue<string>(),
                UpstreamUrl = options["upstream_url"]?.GetValue<string>(),
            },
            provider,
            new LlmAuth(
                auth["header_name"]?.GetValue<string>(),
                auth["header_value"]?.GetValue<string>(),
                auth["param_name"]?.GetValue<string>(),
                auth["param_value"]?.GetValue<string>(),
                auth["param_location"]!.GetValue<string>(),
                auth["allow_override"]!.GetValue<bool>()),
            Enum.Parse<LlmResponseStreaming>(config["response_streaming"]!.GetValue<string>(), ignoreCase: true),
            config["model_name_header"]!.GetValue<bool>());
        return new AiProxyHandler(settings, _logger, config["max_request_body_size"]!.GetValue<int>());
    }

    /// <summary>Kong's <c>logging</c>: accepted so Kong configurations load; statistics always go to the billing meters, payloads are never logged.</summary>
    private static JsonObject ReadLogging(FieldReader? logging)
    {
        var result = new JsonObject
        {
            ["log_statistics"] = logging?.Boolean("log_statistics") ?? false,
            ["log_payloads"] = logging?.Boolean("log_payloads") ?? false,
        };
        logging?.RejectUnknown();
        return result;
    }

    private static JsonObject ReadAuth(FieldReader config, FieldReader? auth)
    {
        var headerName = auth?.HeaderName("header_name");
        var headerValue = auth?.String("header_value");
        var paramName = auth?.String("param_name");
        var paramValue = auth?.String("param_value");
        var location = auth?.OneOf("param_location", ParamLocations);
        var allowOverride = auth?.Boolean("allow_override") ?? false;
        if (auth is not null)
        {
            if ((headerName is null) != (headerValue is null))
            {
                config.Error("@entity", "all or none of these fields must be set: 'config.auth.header_name', 'config.auth.header_value'");
            }

            if ((paramName is null) != (paramValue is null))
            {
                config.Error("@entity", "all or none of these fields must be set: 'config.auth.param_name', 'config.auth.param_value'");
            }

            auth.RejectUnknown();
        }

        return new JsonObject
        {
            ["header_name"] = headerName,
            ["header_value"] = headerValue,
            ["param_name"] = paramName,
            ["param_value"] = paramValue,
            ["param_location"] = location ?? "query",
            ["allow_override"] = allowOverride,
        };
    }

    private static JsonObject ReadModel(FieldReader config, FieldReader model)
    {
        var provider = model.OneOf("provider", LlmProviders.Names, required: true);
        var name = model.String("name");
        var allowOverride = model.Boolean("allow_override") ?? false;
        var options = model.Record("options");
        var upstreamUrl = options?.String("upstream_url");
        var result = new JsonObject
        {
            ["max_tokens"] = options?.Integer("max_tokens", 1, int.MaxValue),
            ["temperature"] = options?.Number("temperature", 0, 5),
            ["top_p"] = options?.Number("top_p", 0, 1),
            ["top_k"] = options?.Integer("top_k", 0, 500),
            ["input_cost"] = options?.Number("input_cost", 0, MaxCost),
            ["output_cost"] = options?.Number("output_cost", 0, MaxCost),
            ["anthropic_version"] = options?.String("anthropic_version") ?? "2023-06-01",
            ["azure_instance"] = options?.String("azure_instance"),
            ["azure_deployment_id"] = options?.String("azure_deployment_id"),
            ["azure_api_version"] = options?.String("azure_api_version") ?? "2024-10-21",
            ["upstream_url"] = upstreamUrl,
            ["llama2_format"] = options?.OneOf("llama2_format", Llama2Formats) ?? (provider == "llama2" ? "ollama" : null),
            ["mistral_format"] = options?.OneOf("mistral_format", MistralFormats) ?? (provider == "mistral" ? "openai" : null),
        };
        if (upstreamUrl is not null && !(Uri.TryCreate(upstreamUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            options!.Error("upstream_url", "expected a full http or https URL");
        }

        // Providers without a public endpoint, or whose endpoint is per customer, need it spelled out.
        if (upstreamUrl is null && (provider is "ollama" or "llama2" || AiJson.String(result["mistral_format"]) == "ollama"))
        {
            config.Error("@entity", "must set 'model.options.upstream_url' for self-hosted providers/models");
        }

        if (upstreamUrl is null && provider == "azure" && result["azure_instance"] is null)
        {
            config.Error("@entity", "must set 'model.options.azure_instance' for azure provider");
        }

        if (AiJson.String(result["azure_instance"]) is { } instance && Uri.CheckHostName(instance + ".openai.azure.com") != UriHostNameType.Dns)
        {
            options!.Error("azure_instance", "expected a host name label");
        }

        if (name is null && provider == "azure" && result["azure_deployment_id"] is null && upstreamUrl is null)
        {
            config.Error("@entity", "must set 'model.name' or 'model.options.azure_deployment_id' for azure provider");
        }

        options?.RejectUnknown();
        model.RejectUnknown();
        return new JsonObject { ["provider"] = provider, ["name"] = name, ["allow_override"] = allowOverride, ["options"] = result };
    }
}
