using System.Text;
using Turnpike.Edge.Plugins.AiRequestTransformer;
using Turnpike.Edge.Plugins.AiResponseTransformer;
using Xunit;

namespace Turnpike.Tests.Ai;

/// <summary>
/// What the AI transformers make of an LLM's reply: <c>transformation_extract_pattern</c>'s first match, and
/// ai-response-transformer's JSON instructions (<c>parse_llm_response_json_instructions</c>) as Kong reads them.
/// </summary>
[Fast]
public sealed class AiResponseInstructionsTests
{
    private static AiResponseInstructions Parse(string text)
    {
        var parsed = AiResponseInstructions.Parse(text, out var error);
        Assert.Null(error);
        return parsed!;
    }

    private static string Refused(string text)
    {
        Assert.Null(AiResponseInstructions.Parse(text, out var error));
        return error!;
    }

    [Fact]
    public void Status_headers_and_a_string_body_become_the_answer()
    {
        var answer = Parse("""{"status": 201, "headers": {"Content-Type": "text/plain", "X-Tags": ["a", "b"], "X-Count": 3, "X-Flag": true}, "body": "made"}""");

        Assert.Equal(201, answer.Status);
        Assert.Equal([("Content-Type", "text/plain"), ("X-Tags", "a"), ("X-Tags", "b"), ("X-Count", "3"), ("X-Flag", "true")], answer.Headers);
        Assert.Equal("made", Encoding.UTF8.GetString(answer.Body));
        Assert.False(answer.JsonBody);
    }

    [Fact]
    public void A_body_that_is_not_a_string_is_sent_as_json_and_a_missing_status_is_200()
    {
        var answer = Parse("""{"body": {"name": "Ada", "langs": ["en"]}}""");

        Assert.Equal(200, answer.Status);
        Assert.Empty(answer.Headers);
        Assert.Equal("""{"name":"Ada","langs":["en"]}""", Encoding.UTF8.GetString(answer.Body));
        Assert.True(answer.JsonBody);
    }

    [Fact]
    public void Without_a_body_key_the_whole_object_is_the_body_as_kong_sends_it()
    {
        var answer = Parse("""{"status": 404, "reason": "gone"}""");

        Assert.Equal(404, answer.Status);
        Assert.Equal("""{"status":404,"reason":"gone"}""", Encoding.UTF8.GetString(answer.Body));
    }

    [Theory]
    [InlineData("""{"status": 999}""")]
    [InlineData("""{"status": 99}""")]
    [InlineData("""{"status": 200.5}""")]
    [InlineData("""{"status": "201"}""")]
    public void A_status_outside_100_to_599_or_not_a_whole_number_is_refused(string text) =>
        Assert.Equal("status must be an integer between 100 and 599", Refused(text));

    [Fact]
    public void Replies_that_are_not_instructions_are_refused_with_a_reason()
    {
        Assert.NotEmpty(Refused("Sure! Here is the JSON: {"));
        Assert.Equal("input not table or string", Refused("\"just text\""));
        Assert.Equal("headers must be an object", Refused("""{"headers": "X-A: 1"}"""));
    }

    [Fact]
    public void Headers_that_would_split_the_response_or_speak_for_the_gateway_are_dropped()
    {
        var answer = Parse("""
            {"headers": {
              "X-Split": "a\r\nSet-Cookie: session=stolen", "X-Nul": "a\u0000b", "Bad Name": "x", "X-Bad\nName": "x",
              "X-Consumer-ID": "admin", "x-consumer-username": "root", "X_Consumer_Groups": "admins", "X-Credential-Identifier": "k",
              "Transfer-Encoding": "chunked", "Content-Length": "1", "Connection": "close", "Content-Encoding": "gzip",
              "Via": "1.1 other", "X-Turnpike-Upstream-Latency": "0",
              "X-Kept": "fine", "X-Accent": "café"},
             "body": "ok"}
            """);

        Assert.Equal([("X-Kept", "fine"), ("X-Accent", "caf%C3%A9")], answer.Headers);
    }

    [Fact]
    public void The_extract_pattern_keeps_the_first_match_and_no_match_is_null()
    {
        var pattern = AiTransformerFields.Compile("\\{.*?\\}");

        Assert.Equal("{\"a\": 1}", AiTransformerFields.Extract(pattern, "Here: {\"a\": 1} and {\"b\": 2}"));
        Assert.Null(AiTransformerFields.Extract(pattern, "nothing here"));
        Assert.Equal("whole reply", AiTransformerFields.Extract(null, "whole reply"));
    }

    [Fact]
    public void A_pattern_that_backtracks_without_end_gives_up_as_no_match()
    {
        var pattern = AiTransformerFields.Compile("^(a+)+$");

        Assert.Null(AiTransformerFields.Extract(pattern, new string('a', 5000) + "!"));
    }
}
