using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Edge.Plugins.AiProxy;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.AiSemanticCache;

/// <summary>
/// Kong's ai-semantic-cache: answers a chat from earlier answers to prompts that mean the same, found by the
/// embeddings of the prompts (<c>embeddings</c>: a model configured as ai-proxy's) in a vector index
/// (<c>vectordb.strategy</c> <c>memory</c>, this edge's own, or <c>redis</c>, shared by the edges: see
/// <see cref="RedisSemanticCacheStore"/> for how it searches without Redis's vector module).
/// </summary>
internal sealed class AiSemanticCachePlugin(
    MemorySemanticCacheStore memory, SemanticCacheRedisConnections redis, UpstreamClients clients, IOptions<SemanticCacheOptions> options, TimeProvider time, ILoggerFactory loggers)
    : GatewayPlugin<AiSemanticCacheConfig>
{
    /// <summary>Kong's embeddings record: ai-proxy's auth and model, no route type; a provider with embeddings and a model name.</summary>
    private static readonly ConfigField<Func<AiProxySettings>> Embeddings = Field.Record(
        "embeddings",
        new ConfigSchema<Func<AiProxySettings>>(
            [
                .. AiProxyPlugin.LlmSteps.Where(step => step != AiProxyPlugin.RouteType),
                ConfigCheck.Entity((c, r) => r.Errors.Count == 0 && !AiProxyPlugin.Settings(c, "deny", false).Provider.HasEmbeddings
                    ? $"embeddings are not supported by the {AiProxyPlugin.Settings(c, "deny", false).Model.Provider} provider"
                    : null),
                ConfigCheck.Entity((c, r) => r.Errors.Count == 0 && AiProxyPlugin.Settings(c, "deny", false).Model.Name is null ? "must set 'model.name' for the embeddings model" : null),
            ],
            c => () => AiProxyPlugin.Settings(c, "deny", false)),
        required: true);

    // vectordb.redis: Kong's shared Redis record (the fields that apply to one server).
    private static readonly ConfigField<string> RedisHost = Field.String("host").Default("127.0.0.1");
    private static readonly ConfigField<int> RedisPort = Field.Integer("port", 0, 65535).Default(6379);
    private static readonly ConfigField<int> RedisTimeout = Field.Integer("timeout", 1, int.MaxValue).Default(2000);
    private static readonly ConfigField<int?> RedisConnectTimeout = Field.Integer("connect_timeout", 1, int.MaxValue);
    private static readonly ConfigField<int?> RedisSendTimeout = Field.Integer("send_timeout", 1, int.MaxValue);
    private static readonly ConfigField<int?> RedisReadTimeout = Field.Integer("read_timeout", 1, int.MaxValue);
    private static readonly ConfigField<string?> RedisUsername = Field.String("username");
    private static readonly ConfigField<string?> RedisPassword = Field.String("password");
    private static readonly ConfigField<int> RedisDatabase = Field.Integer("database", 0, 15).Default(0);
    private static readonly ConfigField<bool> RedisSsl = Field.Boolean("ssl").Default(false);
    private static readonly ConfigField<bool> RedisSslVerify = Field.Boolean("ssl_verify").Default(false);
    private static readonly ConfigField<string?> RedisServerName = Field.String("server_name");

    private static readonly ConfigField<SemanticCacheRedis> Redis = Field.Record("redis", new ConfigSchema<SemanticCacheRedis>(
        [RedisHost, RedisPort, RedisTimeout, RedisConnectTimeout, RedisSendTimeout, RedisReadTimeout, RedisUsername, RedisPassword, RedisDatabase, RedisSsl, RedisSslVerify, RedisServerName],
        c => new(
            c.Get(RedisHost),
            c.Get(RedisPort),
            c.Get(RedisReadTimeout) ?? c.Get(RedisTimeout),
            c.Get(RedisUsername),
            c.Get(RedisPassword),
            c.Get(RedisDatabase),
            c.Get(RedisSsl),
            c.Get(RedisSslVerify),
            c.Get(RedisServerName))));

    private static readonly ConfigField<string> Strategy = Field.RequiredString("strategy", oneOf: ["memory", "redis"]);
    private static readonly ConfigField<int> Dimensions = Field.RequiredInteger("dimensions", 1, 8192);
    private static readonly ConfigField<string> Metric = Field.RequiredString("distance_metric", oneOf: ["cosine", "euclidean"]);
    private static readonly ConfigField<double> Threshold = Field.RequiredNumber("threshold", 0, 1e6);

    private static readonly ConfigField<SemanticCacheVectorDb> VectorDb = Field.Record(
        "vectordb",
        new ConfigSchema<SemanticCacheVectorDb>(
            [Strategy, Dimensions, Metric, Threshold, Redis],
            c => new(
                c.Get(Strategy),
                c.Get(Dimensions),
                c.Get(Metric) == "euclidean" ? DistanceMetric.Euclidean : DistanceMetric.Cosine,
                c.Get(Threshold),
                c.Get(Redis))),
        required: true);

    private static readonly ConfigField<int> CacheTtl = Field.Integer("cache_ttl", 1, int.MaxValue).Default(300);
    private static readonly ConfigField<bool> CacheControl = Field.Boolean("cache_control").Default(false);
    private static readonly ConfigField<bool> ExactCaching = Field.Boolean("exact_caching").Default(false);
    private static readonly ConfigField<int> MessageCountback = Field.Integer("message_countback", 1, 1000).Default(1);
    private static readonly ConfigField<bool> IgnoreSystemPrompts = Field.Boolean("ignore_system_prompts").Default(false);
    private static readonly ConfigField<bool> IgnoreAssistantPrompts = Field.Boolean("ignore_assistant_prompts").Default(false);
    private static readonly ConfigField<bool> IgnoreToolPrompts = Field.Boolean("ignore_tool_prompts").Default(false);
    private static readonly ConfigField<bool> StopOnFailure = Field.Boolean("stop_on_failure").Default(false);

    private static readonly ConfigSchema<AiSemanticCacheConfig> Schema = new(
        [Embeddings, VectorDb, CacheTtl, CacheControl, ExactCaching, MessageCountback, IgnoreSystemPrompts, IgnoreAssistantPrompts, IgnoreToolPrompts, StopOnFailure, AiRequest.MaxBodySize],
        c => new(
            c.Get(Embeddings),
            c.Get(VectorDb),
            c.Get(CacheTtl),
            c.Get(CacheControl),
            c.Get(ExactCaching),
            new SemanticCachePromptRules(c.Get(MessageCountback), c.Get(IgnoreSystemPrompts), c.Get(IgnoreAssistantPrompts), c.Get(IgnoreToolPrompts)),
            c.Get(StopOnFailure)));

    private readonly ILogger _logger = loggers.CreateLogger("Turnpike.Edge.Plugins.AiSemanticCache");

    public override string Name => "ai-semantic-cache";

    /// <summary>Kong's: after ai-proxy (770) read the chat, so the prompt is the one that would go to the model.</summary>
    public override int Priority => 765;

    public override ConfigSchema<AiSemanticCacheConfig> Config => Schema;

    protected override IPluginHandler CreateHandler(AiSemanticCacheConfig config, Guid instanceId)
    {
        var settings = options.Value;
        ISemanticCacheStore store = config.VectorDb.Strategy == "redis"
            ? new RedisSemanticCacheStore(config.VectorDb.Redis, redis, settings.RedisCandidates, time)
            : memory;
        var embeddings = new LlmEmbeddings(config.Embeddings(), clients, settings.EmbeddingsTimeout);
        return new AiSemanticCacheHandler(config, instanceId.ToString("N"), store, embeddings, settings.MaxAnswerSize, time, _logger);
    }
}
