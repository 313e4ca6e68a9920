using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Turnpike.Edge.Admin.Declarative;

/// <summary>
/// Builds JSON nodes from YamlDotNet's parser events with an explicit stack, within <see cref="AdminInputLimits"/>:
/// nesting depth (alias expansion included), node count, and the nodes aliases may add. A recursive conversion of
/// a 200 KB <c>[[[[...</c> overflows the stack and kills the process; a few lines of nested aliases ("billion
/// laughs") expand to gigabytes. Budgets are checked before an alias is copied, so the copy itself is bounded.
/// Only the first document is read.
/// </summary>
internal sealed class YamlJsonReader
{
    private readonly Stack<Frame> _open = new();
    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private int _own;
    private int _expanded;
    private bool _done;
    private JsonNode? _root;

    private YamlJsonReader()
    {
    }

    /// <summary>The first document as JSON (null when there is none); a <see cref="YamlException"/> when it is malformed or over budget.</summary>
    public static JsonNode? Read(string text)
    {
        var reader = new YamlJsonReader();
        var parser = new Parser(new StringReader(text));
        while (!reader._done && parser.MoveNext())
        {
            reader.On(parser.Current!);
        }

        return reader._root;
    }

    private void On(ParsingEvent e)
    {
        switch (e)
        {
            case Scalar scalar:
                Count(e);
                Complete(YamlJson.Scalar(scalar.Value, scalar.Style), scalar.Anchor, e, nodes: 1, height: 0, key: scalar.Value);
                break;
            case SequenceStart start:
                Open(new Frame(new JsonArray(), start.Anchor, _own + _expanded), e);
                break;
            case MappingStart start:
                Open(new Frame(new JsonObject(), start.Anchor, _own + _expanded), e);
                break;
            case SequenceEnd or MappingEnd:
                var frame = _open.Pop();
                Complete(frame.Node, frame.Anchor, e, nodes: _own + _expanded - frame.FirstNode, height: frame.ChildHeight + 1, key: null);
                break;
            case AnchorAlias alias:
                Expand(alias);
                break;
            case DocumentEnd:
                _done = true;
                break;
        }
    }

    private void Open(Frame frame, ParsingEvent e)
    {
        if (_open.Count >= AdminInputLimits.MaxDepth)
        {
            throw new YamlLimitException(e.Start, e.End, $"nested too deeply (more than {AdminInputLimits.MaxDepth} levels)");
        }

        Count(e);
        _open.Push(frame);
    }

    private void Count(ParsingEvent e)
    {
        if (++_own + _expanded > AdminInputLimits.MaxNodes)
        {
            throw new YamlLimitException(e.Start, e.End, $"too many nodes (more than {AdminInputLimits.MaxNodes})");
        }
    }

    private void Expand(AnchorAlias alias)
    {
        if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
        {
            throw new YamlLimitException(alias.Start, alias.End, $"unknown alias '*{alias.Value.Value}'");
        }

        if (_open.Count + anchored.Height > AdminInputLimits.MaxDepth)
        {
            throw new YamlLimitException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' nests too deeply (more than {AdminInputLimits.MaxDepth} levels)");
        }

        // Checked against the nodes read so far: an anchor is always defined before its aliases, so a file
        // that reuses its own parts passes, and a bomb is stopped within the allowance.
        _expanded += anchored.Nodes;
        if (_expanded > _own + AdminInputLimits.AliasAllowance || _own + _expanded > AdminInputLimits.MaxNodes)
        {
            throw new YamlLimitException(alias.Start, alias.End,
                $"aliases expand to too many nodes (more than the document's own nodes + {AdminInputLimits.AliasAllowance})");
        }

        // The depth check above bounds this copy's recursion.
        Complete(anchored.Node?.DeepClone(), AnchorName.Empty, alias, anchored.Nodes, anchored.Height, anchored.Key);
    }

    private void Complete(JsonNode? node, AnchorName anchor, ParsingEvent e, int nodes, int height, string? key)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = new Anchored(node, nodes, height, key);
        }

        if (_open.Count == 0)
        {
            _root = node;
            return;
        }

        var parent = _open.Peek();
        parent.ChildHeight = Math.Max(parent.ChildHeight, height);
        switch (parent.Node)
        {
            case JsonArray array:
                array.Add(node);
                break;
            case JsonObject obj when parent.Key is null:
                if (key is null)
                {
                    throw new YamlLimitException(e.Start, e.End, "mapping keys must be scalars");
                }

                if (obj.ContainsKey(key))
                {
                    throw new YamlLimitException(e.Start, e.End, $"duplicate key '{(key.Length > 100 ? key[..100] + "..." : key)}'");
                }

                parent.Key = key;
                break;
            case JsonObject obj:
                obj[parent.Key] = node;
                parent.Key = null;
                break;
        }
    }

    /// <summary>An open mapping or sequence: its node, its anchor, the node count when it opened, and the height of its tallest child.</summary>
    private sealed class Frame(JsonNode node, AnchorName anchor, int firstNode)
    {
        public JsonNode Node { get; } = node;

        public AnchorName Anchor { get; } = anchor;

        public int FirstNode { get; } = firstNode;

        public int ChildHeight { get; set; }

        /// <summary>A mapping's key waiting for its value.</summary>
        public string? Key { get; set; }
    }

    /// <summary>An anchored node with what copying it costs: its node count and its height (0 for a scalar).</summary>
    private sealed record Anchored(JsonNode? Node, int Nodes, int Height, string? Key);
}
