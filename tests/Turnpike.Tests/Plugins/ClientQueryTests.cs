using Turnpike.Edge.Plugins.RequestTransformer;
using Xunit;

namespace Turnpike.Tests.Plugins;

/// <summary>request-transformer's query rewriting: what it leaves alone goes upstream as the client wrote it.</summary>
[Fast]
public sealed class ClientQueryTests
{
    [Fact]
    public void Parameters_left_alone_keep_the_clients_escapes_and_added_ones_are_escaped_once()
    {
        var query = new ClientQuery("?q=%FF%FE&path=a%2Fb&plus=a+b&bare");
        query.Values["added"] = ["x y&z=1"];
        query.Values.Remove("bare");
        Assert.Equal("?q=%FF%FE&path=a%2Fb&plus=a+b&added=x%20y%26z%3D1", query.ToQueryString().Value);
    }

    [Fact]
    public void A_changed_value_is_escaped_and_repeated_parameters_keep_their_order()
    {
        var query = new ClientQuery("a=1&b=%C3%A9&a=2");
        Assert.Equal(["1", "2"], query.Values["a"]);
        Assert.Equal("é", Assert.Single(query.Values["b"]));
        query.Values["b"] = ["café"];
        Assert.Equal("?a=1&a=2&b=caf%C3%A9", query.ToQueryString().Value);
    }

    [Fact]
    public void An_empty_query_stays_empty()
    {
        Assert.Equal("", new ClientQuery("").ToQueryString().Value ?? "");
        Assert.Equal("", new ClientQuery("?&&").ToQueryString().Value ?? "");
    }
}
