using Turnpike.Tests.Ai;
using Xunit;

namespace Turnpike.Tests.Hostile;

/// <summary>ai-proxy-advanced configurations an admin (or a declarative file) could send to hurt the edge: all refused with Kong's 400 fields.</summary>
[Fast]
public sealed class AiProxyAdvancedConfigTests : IDisposable
{
    private readonly AiProxyAdvancedSchemaTests _schema = new();

    public void Dispose() => _schema.Dispose();

    [Fact]
    public void More_than_64_targets_are_refused()
    {
        var targets = string.Join(",", Enumerable.Range(0, 65).Select(i => AiProxyAdvancedSchemaTests.Target("m" + i)));

        Assert.Equal("length must be at most 64", _schema.Read(("""{"targets":[""" + targets + "]}")).Errors["config.targets"]);
    }

    [Fact]
    public void A_hash_header_name_carrying_a_line_break_is_refused()
    {
        var errors = _schema.Read(("""{"targets":[""" + AiProxyAdvancedSchemaTests.Target("m") + """],"balancer":{"hash_on_header":"X-A\r\nX-B: 1"}}""")).Errors;

        Assert.Contains("config.balancer.hash_on_header", errors.Keys);
    }

    [Fact]
    public void Weights_out_of_range_and_negative_timeouts_or_retries_are_refused()
    {
        var errors = _schema.Read(("""{"targets":[""" + AiProxyAdvancedSchemaTests.Target("m", weight: 0) + """],"balancer":{"retries":-1,"read_timeout":0,"connect_timeout":-5}}""")).Errors;

        Assert.Contains("config.targets[0].weight", errors.Keys);
        Assert.Contains("config.balancer.retries", errors.Keys);
        Assert.Contains("config.balancer.read_timeout", errors.Keys);
        Assert.Contains("config.balancer.connect_timeout", errors.Keys);
    }

    [Fact]
    public void Preserve_targets_are_refused_since_their_body_cannot_be_sent_twice()
    {
        var preserve = """{"route_type":"preserve","model":{"provider":"openai"}}""";

        Assert.Contains("preserve", _schema.Read(("""{"targets":[""" + preserve + "]}")).Errors["config.targets[0].@entity"], StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_that_are_not_records_are_refused_each_at_its_index()
    {
        var errors = _schema.Read("""{"targets":[1,"x",null]}""").Errors;

        Assert.Equal("expected a record", errors["config.targets[0]"]);
        Assert.Equal("expected a record", errors["config.targets[1]"]);
    }
}
