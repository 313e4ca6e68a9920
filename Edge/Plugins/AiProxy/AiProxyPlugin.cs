using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiProxy;

/// <summary>
/// Kong's ai-proxy: clients speak OpenAI's API and the route's LLM provider answers, translated both ways,
/// streams included; the provider's credential comes from here; tokens are metered per consumer, service and model.
/// </summary>
internal sealed class AiProxyPlugin(ILoggerFactory loggers) : GatewayPlugin<AiProxyOptions>
{
    /// <summary>The highest input_cost or output_cost taken (per million tokens): keeps a request's cost in range.</summary>
    private const double MaxCost = 1_000_000;

    // auth: the provider's credential, a header or a parameter (each all or none).
    private static readonly ConfigField<string?> AuthHeaderName = Field.HeaderName("header_name");
    private static readonly ConfigField<string?> AuthHeaderValue = Field.String("header_value");
    private static readonly ConfigField<string?> AuthParamName = Field.String("param_name");
    private static readonly ConfigField<string?> AuthParamValue = Field.String("param_value");
    private static readonly ConfigField<string> AuthParamLocation = Field.OneOf("param_location", ["query", "body"]).Default("query");
    private static readonly ConfigField<bool> AuthAllowOverride = Field.Boolean("allow_override").Default(false);

    private static readonly ConfigField<LlmAuth> Auth = Field.Record("auth", new ConfigSchema<LlmAuth>(
        [AuthHeaderName, AuthHeaderValue, AuthParamName, AuthParamValue, AuthParamLocation, AuthAllowOverride],
        c => new(c.Get(AuthHeaderName), c.Get(AuthHeaderValue), c.Get(AuthParamName), c.Get(AuthParamValue), c.Get(AuthParamLocation), c.Get(AuthAllowOverride))));

    // model.options: tuning and per-provider settings.
    private static readonly ConfigField<int?> MaxTokens = Field.Integer("max_tokens", 1, int.MaxValue);
    private static readonly ConfigField<double?> Temperature = Field.Number("temperature", 0, 5);
    private static readonly ConfigField<double?> TopP = Field.Number("top_p", 0, 1);
    private static readonly ConfigField<int?> TopK = Field.Integer("top_k", 0, 500);
    private static readonly ConfigField<double?> InputCost = Field.Number("input_cost", 0, MaxCost);
    private static readonly ConfigField<double?> OutputCost = Field.Number("output_cost", 0, MaxCost);
    private static readonly ConfigField<string> AnthropicVersion = Field.String("anthropic_version").Default("2023-06-01");
    private static readonly ConfigField<string?> AzureInstance = Field.String("azure_instance")
        .Check(instance => instance is not null && Uri.CheckHostName(instance + ".openai.azure.com") != UriHostNameType.Dns ? "expected a host name label" : null);

    private static readonly ConfigField<string?> AzureDeploymentId = Field.String("azure_deployment_id");
    private static readonly ConfigField<string> AzureApiVersion = Field.String("azure_api_version").Default("2024-10-21");
    private static readonly ConfigField<string?> UpstreamUrl = Field.String("upstream_url")
        .Check(url => url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") ? "expected a full http or https URL" : null);

    private static readonly ConfigField<string?> Llama2Format = Field.OneOf("llama2_format", ["ollama", "openai"]);
    private static readonly ConfigField<string?> MistralFormat = Field.OneOf("mistral_format", ["openai", "ollama"]);

    private static readonly ConfigField<ModelOptions> Options = Field.Record("options", new ConfigSchema<ModelOptions>(
        [MaxTokens, Temperature, TopP, TopK, InputCost, OutputCost, AnthropicVersion, AzureInstance, AzureDeploymentId, AzureApiVersion, UpstreamUrl, Llama2Format, MistralFormat],
        c => new(
            c.Get(MaxTokens),
            c.Get(Temperature),
            c.Get(TopP),
            c.Get(TopK),
            c.Get(InputCost) ?? 0,
            c.Get(OutputCost) ?? 0,
            c.Get(AnthropicVersion),
            c.Get(AzureInstance),
            c.Get(AzureDeploymentId),
            c.Get(AzureApiVersion),
            c.Get(UpstreamUrl),
            c.Get(Llama2Format),
            c.Get(MistralFormat))));

    // model: which provider and model, and whether the client may name another.
    private static readonly ConfigField<string> Provider = Field.RequiredString("provider", oneOf: LlmProviders.Names);
    private static readonly ConfigField<string?> ModelName = Field.String("name");
    private static readonly ConfigField<bool> ModelAllowOverride = Field.Boolean("allow_override").Default(false);

    private static readonly ConfigField<ModelConfig> Model = Field.Record(
        "model",
        new ConfigSchema<ModelConfig>(
            [Provider, ModelName, ModelAllowOverride, Options, new FormatDefaults(Provider, Options, Llama2Format, MistralFormat)],
            c => new(c.Get(Provider), c.Get(ModelName), c.Get(ModelAllowOverride), c.Get(Options))),
        required: true);

    internal static readonly ConfigField<string> RouteType = Field.RequiredString("route_type", oneOf: ["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings", "preserve"]);
    internal static readonly ConfigField<string> ResponseStreaming = Field.OneOf("response_streaming", ["allow", "deny", "always"]).Default("allow");
    internal static readonly ConfigField<bool> ModelNameHeader = Field.Boolean("model_name_header").Default(true);
    /// <summary>The clients' format: OpenAI's, or Anthropic's Messages API translated to any provider (LiteLLM's /v1/messages; Kong's name).</summary>
    internal static readonly ConfigField<string> LlmFormat = Field.OneOf("llm_format", ["openai", "anthropic"]).Default("openai");

    /// <summary>Anthropic's Messages API is a chat: the other route types have no Anthropic-format counterpart.</summary>
    internal static readonly ConfigCheck AnthropicFormatIsChat = ConfigCheck.Entity((c, r) => r.Errors.Count == 0 && c.Get(LlmFormat) == "anthropic" && c.Get(RouteType) != "llm/v1/chat"
        ? "llm_format 'anthropic' requires route_type 'llm/v1/chat'"
        : null);

    // Kong's logging: what the logging plugins' `ai` section gets of each call (the billing meters get the tokens either way).
    private static readonly ConfigField<bool> LogStatistics = Field.Boolean("log_statistics").Default(false);
    private static readonly ConfigField<bool> LogPayloads = Field.Boolean("log_payloads").Default(false);
    internal static readonly ConfigField<AiLogging> Logging = Field.Record("logging", new ConfigSchema<AiLogging>(
        [LogStatistics, LogPayloads],
        c => c.Get(LogStatistics) || c.Get(LogPayloads) ? new(c.Get(LogStatistics), c.Get(LogPayloads)) : AiLogging.Off));

    /// <summary>What says which LLM to call and how (route_type, auth, model): ai-proxy's config, and each of ai-proxy-advanced's targets.</summary>
    internal static readonly ConfigStep[] LlmSteps =
    [
    RouteType,
        Auth,
        ConfigCheck.MutuallyRequired(
            (c, _) => c.Get(Auth) is var auth && (auth.HeaderName is null) != (auth.HeaderValue is null),
            $"{Auth.Name}.{AuthHeaderName.Name}",
            $"{Auth.Name}.{AuthHeaderValue.Name}"),
        ConfigCheck.MutuallyRequired(
            (c, _) => c.Get(Auth) is var auth && (auth.ParamName is null) != (auth.ParamValue is null),
            $"{Auth.Name}.{AuthParamName.Name}",
            $"{Auth.Name}.{AuthParamValue.Name}"),
        Model,
        // Providers without a public endpoint, or whose endpoint is per customer, need it spelled out.
        ConfigCheck.Entity((c, _) => c.Get(Model) is var m && m.Options.UpstreamUrl is null && (m.Provider is "ollama" or "llama2" || m.Options.MistralFormat == "ollama")
            ? "must set 'model.options.upstream_url' for self-hosted providers/models"
            : null),
        ConfigCheck.Entity((c, _) => c.Get(RouteType) == "llm/v1/embeddings" && !LlmProviders.Get(c.Get(Model).Provider, c.Get(Model).Options.Llama2Format, c.Get(Model).Options.MistralFormat).HasEmbeddings
            ? $"route_type 'llm/v1/embeddings' is not supported by the {c.Get(Model).Provider} provider"
            : null),
        ConfigCheck.Entity((c, _) => c.Get(Model) is var m && m.Options.UpstreamUrl is null && m.Provider == "azure" && m.Options.AzureInstance is null
            ? "must set 'model.options.azure_instance' for azure provider"
            : null),
        ConfigCheck.Entity((c, _) => c.Get(Model) is var m && m.Name is null && m.Provider == "azure" && m.Options.AzureDeploymentId is null && m.Options.UpstreamUrl is null
            ? "must set 'model.name' or 'model.options.azure_deployment_id' for azure provider"
            : null),
    ];

    private static readonly ConfigSchema<AiProxyOptions> Schema = new(
        [
            .. LlmSteps,
            ResponseStreaming,
            ModelNameHeader,
            AiRequest.MaxBodySize,
            LlmFormat,
            AnthropicFormatIsChat,
            Logging,
        ],
        c => new(Settings(c, c.Get(ResponseStreaming), c.Get(ModelNameHeader)), c.Get(AiRequest.MaxBodySize), c.Get(LlmFormat) == "anthropic"));

    private readonly ILogger _logger = loggers.CreateLogger("Turnpike.Edge.Plugins.AiProxy");

    public override string Name => "ai-proxy";

    public override int Priority => 770;

    public override ConfigSchema<AiProxyOptions> Config => Schema;

    protected override IPluginHandler CreateHandler(AiProxyOptions options, Guid instanceId) =>
        new AiProxyHandler(options.Settings with { PluginId = instanceId }, _logger, options.MaxRequestBodySize, options.AnthropicClients);

    /// <summary>The settings of one LLM from values read by <see cref="LlmSteps"/>.</summary>
    internal static AiProxySettings Settings(ConfigValues c, string responseStreaming, bool modelNameHeader)
    {
        var model = c.Get(Model);
        var options = model.Options;
        return new AiProxySettings(
            c.Get(RouteType) switch
            {
                "llm/v1/completions" => LlmRouteType.Completions,
                "llm/v1/embeddings" => LlmRouteType.Embeddings,
                "preserve" => LlmRouteType.Preserve,
                _ => LlmRouteType.Chat,
            },
            new LlmModel
            {
                Provider = model.Provider,
                Name = model.Name,
                AllowOverride = model.AllowOverride,
                MaxTokens = options.MaxTokens,
                Temperature = options.Temperature,
                TopP = options.TopP,
                TopK = options.TopK,
                InputCost = options.InputCost,
                OutputCost = options.OutputCost,
                AnthropicVersion = options.AnthropicVersion,
                AzureInstance = options.AzureInstance,
                AzureDeploymentId = options.AzureDeploymentId,
                AzureApiVersion = options.AzureApiVersion,
                UpstreamUrl = options.UpstreamUrl,
            },
            LlmProviders.Get(model.Provider, options.Llama2Format, options.MistralFormat),
            c.Get(Auth),
            Enum.Parse<LlmResponseStreaming>(responseStreaming, ignoreCase: true),
            modelNameHeader)
        {
            Logging = c.Get(Logging),
        };
    }

    /// <summary>
    /// The wire format of llama2 and mistral models defaults by provider (ollama for llama2, openai for mistral), so the
    /// default is filled in at the model level, where the provider is known, and stored like any other default.
    /// Not a declared default: one of those is a single value for every provider, and a default that hangs on a sibling
    /// field has no form in Kong's schema JSON either (Kong's own fields have no default), so it describes nothing.
    /// </summary>
    private sealed class FormatDefaults(ConfigField<string> provider, ConfigField<ModelOptions> options, ConfigField<string?> llama2, ConfigField<string?> mistral) : ConfigStep
    {
        internal override void Read(FieldReader reader, JsonObject output)
        {
            if (output[options.Name] is not JsonObject stored)
            {
                return;
            }

            var name = new ConfigValues(output).Get(provider);
            stored[llama2.Name] ??= name == "llama2" ? "ollama" : null;
            stored[mistral.Name] ??= name == "mistral" ? "openai" : null;
        }

        internal override void Describe(JsonArray fields, JsonArray checks)
        {
        }
    }
}

/// <summary>One ai-proxy instance's configuration.</summary>
internal sealed record AiProxyOptions(AiProxySettings Settings, int MaxRequestBodySize, bool AnthropicClients);

/// <summary>ai-proxy's <c>model</c> record.</summary>
internal sealed record ModelConfig(string Provider, string? Name, bool AllowOverride, ModelOptions Options);

/// <summary>ai-proxy's <c>model.options</c> record.</summary>
internal sealed record ModelOptions(
    int? MaxTokens,
    double? Temperature,
    double? TopP,
    int? TopK,
    double InputCost,
    double OutputCost,
    string AnthropicVersion,
    string? AzureInstance,
    string? AzureDeploymentId,
    string AzureApiVersion,
    string? UpstreamUrl,
    string? Llama2Format,
    string? MistralFormat);
