using Microsoft.Extensions.Options;
using Turnpike.Edge.Schema;

namespace Turnpike.Edge.Plugins.ProxyCache;

/// <summary>
/// Kong's proxy-cache with <c>strategy: memory</c>: each edge caches in its own bounded memory
/// (<see cref="ProxyCacheStore"/>); purges through the admin API reach every edge. <c>request_collapsing</c> is ours.
/// </summary>
internal sealed class ProxyCachePlugin(ProxyCacheStore store, MissCollapsing collapsing, IOptions<ProxyCacheOptions> options, TimeProvider time) : GatewayPlugin<ProxyCacheConfig>
{
    private static readonly string[] Methods = ["HEAD", "GET", "POST", "PATCH", "PUT"];

    private static readonly ConfigField<int[]> ResponseCode = Field.Integers("response_code", 100, 900, "expected an array of integers between 100 and 900")
        .Check(codes => codes is { Length: 0 } ? "length must be at least 1" : null).Default(200, 301, 404);
    private static readonly ConfigField<string[]> RequestMethod = Field.Strings("request_method", oneOf: Methods).Default("GET", "HEAD");
    private static readonly ConfigField<string[]> ContentType = Field.Strings("content_type").Default("text/plain", "application/json");
    private static readonly ConfigField<int> CacheTtl = Field.Integer("cache_ttl", 0, int.MaxValue).Check(ttl => ttl == 0 ? "value must be greater than 0" : null).Default(300);
    private static readonly ConfigField<string> Strategy = Field.RequiredString("strategy", oneOf: ["memory"]);
    private static readonly ConfigField<bool> CacheControl = Field.Boolean("cache_control").Default(false);
    private static readonly ConfigField<bool> IgnoreUriCase = Field.Boolean("ignore_uri_case").Default(false);
    private static readonly ConfigField<int?> StorageTtl = Field.Integer("storage_ttl", 0, int.MaxValue);
    private static readonly ConfigField<string> DictionaryName = Field.String("dictionary_name").Default("kong_db_cache");
    private static readonly ConfigField<string> Memory = Field.Record("memory", new ConfigSchema<string>([DictionaryName], c => c.Get(DictionaryName)));
    private static readonly ConfigField<string[]?> VaryQueryParams = Field.Strings("vary_query_params");
    private static readonly ConfigField<string[]?> VaryHeaders = Field.Strings("vary_headers", TextRules.HeaderName);
    private static readonly ConfigField<bool> Age = Field.Boolean("age").Default(true);
    private static readonly ConfigField<bool> CacheStatus = Field.Boolean("X-Cache-Status").Default(true);
    private static readonly ConfigField<bool> CacheKey = Field.Boolean("X-Cache-Key").Default(true);
    private static readonly ConfigField<(bool, bool, bool)> ResponseHeaders =
        Field.Record("response_headers", new ConfigSchema<(bool, bool, bool)>([Age, CacheStatus, CacheKey], c => (c.Get(Age), c.Get(CacheStatus), c.Get(CacheKey))));
    private static readonly ConfigField<bool> RequestCollapsing = Field.Boolean("request_collapsing").Default(false);

    private static readonly ConfigSchema<ProxyCacheConfig> Schema = new(
        [ResponseCode, RequestMethod, ContentType, CacheTtl, Strategy, CacheControl, IgnoreUriCase, StorageTtl, Memory, VaryQueryParams, VaryHeaders, ResponseHeaders, RequestCollapsing],
        c =>
        {
            var (age, status, key) = c.Get(ResponseHeaders);
            return new ProxyCacheConfig(
                c.Get(ResponseCode), c.Get(RequestMethod), c.Get(ContentType), c.Get(CacheTtl), c.Get(CacheControl), c.Get(IgnoreUriCase), c.Get(StorageTtl),
                c.Get(Memory), c.Get(VaryQueryParams) ?? [], [.. (c.Get(VaryHeaders) ?? []).Select(h => h.ToLowerInvariant())], age, status, key, c.Get(RequestCollapsing));
        });

    public override string Name => "proxy-cache";

    public override int Priority => 100;

    public override ConfigSchema<ProxyCacheConfig> Config => Schema;

    protected override IPluginHandler CreateHandler(ProxyCacheConfig config, Guid instanceId) =>
        new ProxyCacheHandler(config, instanceId, store, collapsing, options.Value.CollapseWait, time);
}

/// <summary>One proxy-cache instance's configuration.</summary>
internal sealed record ProxyCacheConfig(
    int[] ResponseCodes,
    string[] RequestMethods,
    string[] ContentTypes,
    int CacheTtl,
    bool CacheControl,
    bool IgnoreUriCase,
    int? StorageTtl,
    string DictionaryName,
    string[] VaryQueryParams,
    string[] VaryHeaders,
    bool AgeHeader,
    bool CacheStatusHeader,
    bool CacheKeyHeader,
    bool RequestCollapsing);
