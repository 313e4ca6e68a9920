using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Turnpike.Edge.Ai;
using Turnpike.Edge.Ai.SemanticCache;
using Turnpike.Edge.Plugins.AiSemanticCache;
using Turnpike.Edge.Proxy;
using Turnpike.Edge.Schema;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>
/// ai-semantic-cache's pure parts: the vector arithmetic and what an embeddings model may return, the bounded memory
/// index (threshold, TTL, eviction), the prompt's key, a stream put back together, the replay, and the config.
/// </summary>
[Fast]
public sealed class SemanticCacheLogicTests : IDisposable
{
    private const string Space = "instance-a";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly UpstreamClients _clients = new();

    public void Dispose() => _clients.Dispose();

    private MemorySemanticCacheStore Store(int maxEntries = 100, long memory = 1024 * 1024) =>
        new(Options.Create(new SemanticCacheOptions { MaxEntries = maxEntries, MemorySize = memory }), _time);

    private static float[] Unit(params float[] raw) => SemanticVectors.Prepare(raw, raw.Length, DistanceMetric.Cosine).Vector!;

    private CachedAnswer Answer(string key, float[] vector, long ttl = 60, int size = 10) =>
        new(key, new string('x', size), vector, _time.GetUtcNow().ToUnixTimeSeconds(), ttl, "openai/gpt-4o", 18);

    private static SemanticCachePromptRules Rules(int countback = 1, bool system = false, bool assistant = false, bool tool = false) => new(countback, system, assistant, tool);

    private static JsonObject Chat(params (string Role, string Content)[] messages) =>
        new() { ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]) };

    [Fact]
    public void Cosine_distance_is_zero_for_the_same_direction_one_for_orthogonal_and_two_for_opposite()
    {
        Assert.Equal(0, SemanticVectors.Distance(Unit(1, 1), Unit(3, 3), DistanceMetric.Cosine), 6);
        Assert.Equal(1, SemanticVectors.Distance(Unit(1, 0), Unit(0, 5), DistanceMetric.Cosine), 6);
        Assert.Equal(2, SemanticVectors.Distance(Unit(1, 0), Unit(-1, 0), DistanceMetric.Cosine), 6);
        Assert.Equal(5, SemanticVectors.Distance(new float[] { 0, 0 }, new float[] { 3, 4 }, DistanceMetric.Euclidean), 6);

        // Long enough for the SIMD loop and its tail.
        var a = Enumerable.Range(0, 37).Select(i => (float)i).ToArray();
        Assert.Equal(0, SemanticVectors.Distance(Unit(a), Unit([.. a.Select(v => v * 2)]), DistanceMetric.Cosine), 5);
    }

    [Theory]
    [InlineData(3, "returned 3 dimensions, not the configured 4")]
    [InlineData(float.NaN, "not a finite number")]
    [InlineData(float.PositiveInfinity, "not a finite number")]
    [InlineData(0f, "without a direction")]
    public void A_vector_of_the_wrong_length_or_with_NaN_infinity_or_no_direction_is_refused(float bad, string problem)
    {
        var raw = bad == 3 ? new float[] { 1, 2, 3 } : bad == 0 ? new float[4] : [1, bad, 0, 0];
        var (vector, why) = SemanticVectors.Prepare(raw, 4, DistanceMetric.Cosine);
        Assert.Null(vector);
        Assert.Contains(problem, why, StringComparison.Ordinal);

        // Euclidean keeps a zero vector (it has a distance), never a non-finite one.
        Assert.NotNull(SemanticVectors.Prepare(new float[4], 4, DistanceMetric.Euclidean).Vector);
        Assert.Null(SemanticVectors.Prepare([1, float.NaN, 0, 0], 4, DistanceMetric.Euclidean).Vector);
    }

    [Fact]
    public void The_nearest_answer_within_the_threshold_is_found_and_nothing_beyond_it()
    {
        var store = Store();
        store.Set(Space, Answer("near", Unit(1, 0.1f, 0)));
        store.Set(Space, Answer("nearer", Unit(1, 0.05f, 0)));
        store.Set(Space, Answer("far", Unit(0, 1, 0)));

        var hit = store.Search(Space, Unit(1, 0.04f, 0), DistanceMetric.Cosine, 0.1);
        Assert.Equal("nearer", hit!.Value.Answer.Key);
        Assert.True(hit.Value.Distance < 0.001);
        Assert.Null(store.Search(Space, Unit(0, 0, 1), DistanceMetric.Cosine, 0.1)); // orthogonal to all: distance 1
        Assert.Null(store.Search("other-instance", Unit(1, 0.05f, 0), DistanceMetric.Cosine, 0.1)); // namespaces never share
        Assert.Null(store.Search(Space, Unit(1, 0, 0, 0), DistanceMetric.Cosine, 2)); // another length: never compared
    }

    [Fact]
    public void An_answer_is_served_until_its_ttl_and_not_after()
    {
        var store = Store();
        store.Set(Space, Answer("k", Unit(1, 0), ttl: 30));

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.NotNull(store.Get(Space, "k"));
        Assert.NotNull(store.Search(Space, Unit(1, 0), DistanceMetric.Cosine, 0.01));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(store.Search(Space, Unit(1, 0), DistanceMetric.Cosine, 0.01));
        Assert.Null(store.Get(Space, "k"));
        Assert.Equal(0, store.Count); // dropped when met
    }

    [Fact]
    public void Past_its_entry_bound_the_index_evicts_the_least_recently_used()
    {
        var store = Store(maxEntries: 3);
        store.Set(Space, Answer("a", Unit(1, 0)));
        store.Set("other", Answer("b", Unit(0, 1)));
        store.Set(Space, Answer("c", Unit(1, 1)));
        Assert.NotNull(store.Get(Space, "a")); // a is now the most recently used

        store.Set(Space, Answer("d", Unit(1, 2)));

        Assert.Equal(3, store.Count);
        Assert.Null(store.Get("other", "b"));
        Assert.NotNull(store.Get(Space, "a"));
        Assert.Equal(1, store.Evictions);

        // The same key again replaces, it does not add.
        store.Set(Space, Answer("a", Unit(2, 1)));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void Past_its_memory_bound_the_index_evicts_and_an_answer_larger_than_half_of_it_is_not_kept()
    {
        var store = Store(maxEntries: 1000, memory: 10_000);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(store.Set(Space, Answer("k" + i, Unit(1, i), size: 1000)));
        }

        Assert.True(store.Bytes <= 10_000);
        Assert.InRange(store.Count, 1, 5);
        Assert.False(store.Set(Space, Answer("huge", Unit(1, 0), size: 6000)));
    }

    [Fact]
    public void The_prompt_is_the_last_messages_not_ignored_and_the_key_is_64_hex_digits_that_change_with_them()
    {
        var chat = Chat(("system", "Be terse."), ("user", "What is the capital of France?"), ("assistant", "Paris."), ("user", "And of Spain?"));

        var (text, key) = SemanticCachePrompt.Build(chat, Space, Rules())!.Value;
        Assert.Equal("And of Spain?", text);
        Assert.Matches("^[0-9a-f]{64}$", key);

        Assert.Equal("Paris.\nAnd of Spain?", SemanticCachePrompt.Build(chat, Space, Rules(2))!.Value.Text);
        Assert.Equal("What is the capital of France?\nAnd of Spain?", SemanticCachePrompt.Build(chat, Space, Rules(2, assistant: true))!.Value.Text);
        Assert.Equal("What is the capital of France?\nAnd of Spain?", SemanticCachePrompt.Build(chat, Space, Rules(10, system: true, assistant: true))!.Value.Text);

        Assert.Equal(key, SemanticCachePrompt.Build(Chat(("user", "Hi"), ("user", "And of Spain?")), Space, Rules())!.Value.Key);
        Assert.NotEqual(key, SemanticCachePrompt.Build(chat, "another-instance", Rules())!.Value.Key);

        // Nothing left to look at: not cached.
        Assert.Null(SemanticCachePrompt.Build(Chat(("system", "Be terse.")), Space, Rules(system: true)));
        Assert.Null(SemanticCachePrompt.Build(new JsonObject { ["prompt"] = "legacy" }, Space, Rules()));
    }

    [Fact]
    public void No_arrangement_of_text_across_messages_or_roles_makes_two_conversations_share_a_key()
    {
        string Key(params (string, string)[] messages) => SemanticCachePrompt.Build(Chat(messages), Space, Rules(5))!.Value.Key;

        var keys = new[]
        {
            Key(("user", "a\nb")),
            Key(("user", "a"), ("user", "b")),
            Key(("user", "a\",\"user\",\"b")),
            Key(("assistant", "a"), ("user", "b")),
            Key(("user", "a"), ("user", "\nb")),
        };
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void A_stream_assembled_is_the_whole_answer_with_its_text_tool_calls_and_finish()
    {
        var ids = new ChatChunks("chatcmpl-1", 1700000000, "gpt-4o");
        var assembler = new CompletionAssembler();
        assembler.AddAll([ids.Role(), ids.Text("Hel"), ids.Text("lo"), ids.ToolCall(0, "call_1", "lookup", "{\"q\":"), ids.ToolCall(0, null, null, "1}")]);
        Assert.Null(assembler.Completion(null)); // not finished yet

        assembler.Add(ids.Finish("tool_calls"));
        var whole = assembler.Completion(new AiUsage(11, 7))!;

        Assert.Equal("chatcmpl-1", whole["id"]!.GetValue<string>());
        Assert.Equal("Hello", whole["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        var call = whole["choices"]![0]!["message"]!["tool_calls"]![0]!;
        Assert.Equal(("call_1", "lookup", "{\"q\":1}"), (call["id"]!.GetValue<string>(), call["function"]!["name"]!.GetValue<string>(), call["function"]!["arguments"]!.GetValue<string>()));
        Assert.Equal("tool_calls", whole["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(18, whole["usage"]!["total_tokens"]!.GetValue<long>());
    }

    [Fact]
    public void A_replayed_stream_carries_the_stored_text_in_pieces_then_the_finish_the_usage_when_asked_and_done()
    {
        var text = string.Concat(Enumerable.Repeat("All the king's horses 🐎 ", 5));
        var completion = new ChatChunks("chatcmpl-9", 1700000000, "gpt-4o").Completion(text, null, "stop", new AiUsage(11, 7));

        var events = CachedAnswerReplay.Events(completion, anthropic: false, includeUsage: true).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.True(chunks.Count > 4);
        var assembler = new CompletionAssembler();
        chunks.Where(c => c["choices"]!.AsArray().Count > 0).ToList().ForEach(c => assembler.Add(c.AsObject()));
        Assert.Equal(text, assembler.Completion(null)!["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal(18, chunks[^1]["usage"]!["total_tokens"]!.GetValue<long>());

        var anthropic = CachedAnswerReplay.Events(completion, anthropic: true, includeUsage: false);
        Assert.StartsWith("event: message_start\n", anthropic, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"text_delta\"", anthropic, StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"end_turn\"", anthropic, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", anthropic, StringComparison.Ordinal);
    }

    private (JsonObject Stored, IReadOnlyDictionary<string, string> Errors) Read(string json)
    {
        using var redis = new SemanticCacheRedisConnectionsScope();
        var plugin = new AiSemanticCachePlugin(Store(), redis.Connections, _clients, Options.Create(new SemanticCacheOptions()), _time, NullLoggerFactory.Instance);
        var errors = new FieldErrors();
        var stored = plugin.ReadConfig(new FieldReader(JsonNode.Parse(json)!.AsObject(), errors, "config."));
        if (errors.All.Count == 0)
        {
            Assert.NotNull(plugin.CreateHandler(JsonNode.Parse(stored.ToJsonString())!.AsObject(), Guid.NewGuid()));
        }

        return (stored, errors.All);
    }

    private const string Embeddings = """{"auth":{"header_name":"Authorization","header_value":"Bearer k"},"model":{"provider":"openai","name":"text-embedding-3-small"}}""";

    [Fact]
    public void A_config_as_kongs_gets_kongs_defaults()
    {
        var (stored, errors) = Read("""{"embeddings": """ + Embeddings + """, "vectordb": {"strategy": "redis", "dimensions": 1536, "distance_metric": "cosine", "threshold": 0.1, "redis": {"host": "127.0.0.1", "port": 6379}}}""");

        Assert.Empty(errors);
        Assert.Equal(300, stored["cache_ttl"]!.GetValue<int>());
        Assert.Equal(1, stored["message_countback"]!.GetValue<int>());
        Assert.False(stored["exact_caching"]!.GetValue<bool>());
        Assert.False(stored["stop_on_failure"]!.GetValue<bool>());
        Assert.Equal(2000, stored["vectordb"]!["redis"]!["timeout"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"strategy": "memory", "distance_metric": "cosine", "threshold": 0.1}""", "config.vectordb.dimensions", "required field missing")]
    [InlineData("""{"strategy": "memory", "dimensions": 8, "distance_metric": "cosine"}""", "config.vectordb.threshold", "required field missing")]
    [InlineData("""{"strategy": "qdrant", "dimensions": 8, "distance_metric": "cosine", "threshold": 0.1}""", "config.vectordb.strategy", "expected one of: memory, redis")]
    [InlineData("""{"strategy": "memory", "dimensions": 8, "distance_metric": "dot", "threshold": 0.1}""", "config.vectordb.distance_metric", "expected one of: cosine, euclidean")]
    [InlineData("""{"strategy": "memory", "dimensions": 100000, "distance_metric": "cosine", "threshold": 0.1}""", "config.vectordb.dimensions", "value should be between 1 and 8192")]
    public void A_vectordb_without_its_required_fields_or_with_unknown_values_is_refused_at_the_field(string vectorDb, string field, string message)
    {
        var (_, errors) = Read("""{"embeddings": """ + Embeddings + """, "vectordb": """ + vectorDb + "}");
        Assert.Equal(message, errors[field]);
    }

    [Fact]
    public void The_schema_says_dimensions_and_threshold_are_required()
    {
        using var redis = new SemanticCacheRedisConnectionsScope();
        var plugin = new AiSemanticCachePlugin(Store(), redis.Connections, _clients, Options.Create(new SemanticCacheOptions()), _time, NullLoggerFactory.Instance);
        var vectorDb = plugin.DescribeConfig()["fields"]!.AsArray().Select(f => f!.AsObject()).Single(f => f.ContainsKey("vectordb"))["vectordb"]!;
        var fields = vectorDb["fields"]!.AsArray().Select(f => f!.AsObject()).ToDictionary(f => f.Single().Key, f => f.Single().Value!);

        Assert.Equal("""{"type":"integer","required":true,"between":[1,8192]}""", fields["dimensions"].ToJsonString());
        Assert.Equal("""{"type":"number","required":true,"between":[0,1000000]}""", fields["threshold"].ToJsonString());
    }

    [Fact]
    public void An_embeddings_model_must_be_named_and_its_provider_must_offer_embeddings()
    {
        var (_, unnamed) = Read("""{"embeddings": {"model": {"provider": "openai"}}, "vectordb": {"strategy": "memory", "dimensions": 8, "distance_metric": "cosine", "threshold": 0.1}}""");
        Assert.Contains(unnamed.Values, m => m.Contains("model.name", StringComparison.Ordinal));

        var (_, anthropic) = Read("""{"embeddings": {"model": {"provider": "anthropic", "name": "claude"}}, "vectordb": {"strategy": "memory", "dimensions": 8, "distance_metric": "cosine", "threshold": 0.1}}""");
        Assert.Contains(anthropic.Values, m => m.Contains("embeddings are not supported by the anthropic provider", StringComparison.Ordinal));
    }

    /// <summary>The plugin's Redis connections, disposed with the test (none is opened by reading a config).</summary>
    private sealed class SemanticCacheRedisConnectionsScope : IDisposable
    {
        public SemanticCacheRedisConnections Connections { get; } = new();

        public void Dispose() => Connections.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
