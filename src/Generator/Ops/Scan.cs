using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;

namespace ModelGen.Ops
{
    /// <summary>
    /// Scan (opset 9+), unrolled at build time: the sequence length is a dimension of the scan inputs, so it is always
    /// known. Iteration t copies the body with the states so far and slice t of each scan input (a Gather on its scan
    /// axis, counted from the end when its direction is reverse); the scan outputs are the slices stacked on their
    /// output axes, in reverse order where asked.
    /// </summary>
    public sealed class ScanOp : ControlFlowOp
    {
        public override string OpType => "Scan";

        public override List<Node> Inline(Graph graph, Node node)
        {
            RequireSupported(node.Opset >= 9, "Scan-8 (a batch axis and sequence_lens) is not supported; export the model at opset 9 or later");
            var body = node.Attributes.Raw("body")?.G;
            Require(body is not null, "needs the body attribute");
            Require(node.Attributes.Has("num_scan_inputs"), "needs the num_scan_inputs attribute");
            int scanInputs = (int)node.Attributes.Int("num_scan_inputs", 0);
            int states = node.Inputs.Length - scanInputs;
            Require(scanInputs >= 1 && states >= 0, $"has {node.Inputs.Length} inputs for {scanInputs} scan inputs");
            Require(body!.Input.Count == node.Inputs.Length, $"its body has {body.Input.Count} inputs for the node's {node.Inputs.Length}");
            int scanOutputs = node.Outputs.Length - states;
            Require(scanOutputs >= 0 && body.Output.Count == node.Outputs.Length, $"its body has {body.Output.Count} outputs for the node's {node.Outputs.Length}");

            var inputAxes = Ints(node, "scan_input_axes", scanInputs, 0);
            var inputDirections = Ints(node, "scan_input_directions", scanInputs, 0);
            var outputAxes = Ints(node, "scan_output_axes", scanOutputs, 0);
            var outputDirections = Ints(node, "scan_output_directions", scanOutputs, 0);
            Require(inputAxes.Length == scanInputs && inputDirections.Length == scanInputs, $"scan_input_axes and scan_input_directions need {scanInputs} entries");
            Require(outputAxes.Length == scanOutputs && outputDirections.Length == scanOutputs, $"scan_output_axes and scan_output_directions need {scanOutputs} entries");

            var sequences = new Value[scanInputs];
            var axes = new int[scanInputs];
            int length = -1;
            for (int j = 0; j < scanInputs; j++)
            {
                var x = node.Inputs[states + j];
                Require(x is not null, $"scan input {j} is missing");
                sequences[j] = x!;
                int axis = (int)inputAxes[j];
                Require(axis >= -x!.Rank && axis < x.Rank, $"scan_input_axes[{j}] = {axis} is outside the rank {x.Rank} of '{x.Name}'");
                axes[j] = axis < 0 ? axis + x.Rank : axis;
                int n = x.Shape![axes[j]];
                Require(length < 0 || n == length, $"scan inputs have sequence lengths {length} and {n}");
                length = n;
            }
            RequireSupported(length > 0 || scanOutputs == 0, "scans an empty sequence, so its scan outputs have a shape its body never computes");
            RequireSupported(length <= MaxIterations, $"scans {length} steps; ModelGen unrolls scans of at most {MaxIterations}");

            var nodes = new List<Node>();
            var gather = new FunctionBody(graph, node);
            var current = node.Inputs.Take(states).Select(v => v!).ToList();
            var pieces = Enumerable.Range(0, scanOutputs).Select(_ => new List<Value>()).ToArray();
            for (int t = 0; t < length; t++)
            {
                string prefix = $"{node.Name}/{t}/";
                var arguments = new List<Value>(current);
                for (int j = 0; j < scanInputs; j++)
                {
                    var index = ScalarConstant(graph, $"{prefix}index{j}", DataType.Int64, inputDirections[j] == 1 ? length - 1 - t : t);
                    arguments.Add(gather.Add("Gather", new Value?[] { sequences[j], index }, new[] { FunctionBody.Int("axis", axes[j]) }, opset: 13)[0]);
                }
                nodes.AddRange(gather.Nodes);
                gather.Nodes.Clear();
                var copy = SubgraphImporter.Inline(graph, node, "body", prefix, arguments, null, node.Guard);
                nodes.AddRange(copy.Nodes);
                current = copy.Outputs.Take(states).ToList();
                for (int k = 0; k < scanOutputs; k++) pieces[k].Add(copy.Outputs[states + k]);
            }

            for (int k = 0; k < states; k++) nodes.Add(Copy(graph, node, current[k], node.Outputs[k], $"final{k}"));
            for (int k = 0; k < scanOutputs; k++)
            {
                var slices = outputDirections[k] == 1 ? Enumerable.Reverse(pieces[k]).ToList() : pieces[k];
                // A negative axis counts from the stacked rank.
                int axis = (int)outputAxes[k];
                nodes.Add(Stack(node, slices, axis, node.Outputs[states + k]));
            }
            return nodes;
        }
    }
}
