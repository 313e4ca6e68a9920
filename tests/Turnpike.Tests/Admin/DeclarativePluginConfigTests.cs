using Microsoft.Extensions.Options;
using Turnpike.Edge.Admin.Declarative;
using Turnpike.Edge.Plugins;
using Turnpike.Edge.Plugins.ProxyCache;
using Turnpike.Edge.Plugins.ResponseRateLimiting;
using Turnpike.Edge.RateLimiting;
using Turnpike.RouteTable;
using Turnpike.Tests.Infrastructure;
using Xunit;

namespace Turnpike.Tests.Admin;

/// <summary>response-ratelimiting and proxy-cache in Kong's declarative format: read with their defaults, refused naming the entity's field.</summary>
[Fast]
public sealed class DeclarativePluginConfigTests
{
    private static readonly PluginRegistry Plugins = new([
        new ResponseRateLimitingPlugin(null!, null!, new RateLimitMetrics()),
        new ProxyCachePlugin(new ProxyCacheStore(Options.Create(new ProxyCacheOptions())), new MissCollapsing(), Options.Create(new ProxyCacheOptions()), TimeProvider.System)]);

    private static readonly DeclarativeConfig Config = new(TestSchemas.Create(Plugins));

    [Fact]
    public void A_Kong_file_with_response_ratelimiting_and_proxy_cache_loads_with_defaults_filled()
    {
        var (write, error) = Config.Read("""
            _format_version: "3.0"
            services:
            - name: media
              url: http://127.0.0.1:9000
              plugins:
              - name: response-ratelimiting
                config:
                  limits:
                    videos: { minute: 10, hour: 100 }
                    images: { second: 5 }
              - name: proxy-cache
                config:
                  strategy: memory
                  content_type: [application/json]
                  vary_headers: [Accept-Language]
            """);
        Assert.Null(error);
        var plugins = write!.Upserts.OfType<PluginEntity>().ToDictionary(p => p.Name, p => p.Config);
        var videos = System.Text.Json.Nodes.JsonNode.Parse(plugins["response-ratelimiting"])!["limits"]!["videos"]!;
        Assert.Equal((10, 100), (videos["minute"]!.GetValue<int>(), videos["hour"]!.GetValue<int>()));
        Assert.Contains("\"header_name\":\"x-kong-limit\"", plugins["response-ratelimiting"], StringComparison.Ordinal);
        Assert.Contains("\"cache_ttl\":300", plugins["proxy-cache"], StringComparison.Ordinal);
        Assert.Contains("\"dictionary_name\":\"kong_db_cache\"", plugins["proxy-cache"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_plugin_config_in_a_file_is_refused_naming_the_field()
    {
        var (write, error) = Config.Read("""
            _format_version: "3.0"
            plugins:
            - name: response-ratelimiting
              config: { limits: { videos: { minute: 20, hour: 10 } } }
            - name: proxy-cache
              config: { cache_ttl: 60 }
            """);
        Assert.Null(write);
        var text = System.Text.Json.JsonSerializer.Serialize(error);
        Assert.Contains("the limit for hour(10.0) cannot be lower than the limit for minute(20.0)", text, StringComparison.Ordinal);
        Assert.Contains("strategy", text, StringComparison.Ordinal);
    }
}
