using System.Collections.Generic;
using System.Linq;
using ModelGen.Ir;
using ModelGen.Onnx;
using ModelGen.Plan;

namespace ModelGen.Ops
{
    /// <summary>
    /// If: a condition known at build time (a constant, a value computed from shapes, or an input fixed with the Values
    /// metadata) selects one branch, which replaces the node; nothing of the other branch is compiled. A condition known
    /// only at run time compiles both branches, each guarded so that only the one taken runs, and an
    /// <see cref="IfSelectOp"/> copies the taken branch's outputs into the node's (their shapes must agree: the program
    /// has fixed buffers).
    /// </summary>
    public sealed class IfOp : ControlFlowOp
    {
        public override string OpType => "If";

        public override List<Node> Inline(Graph graph, Node node)
        {
            var condition = node.Input(0);
            Require(condition is not null, "needs the condition input");
            Require(condition!.Type == DataType.Bool, $"condition '{condition.Name}' must be bool, not {DataTypes.OnnxName(condition.Type)}");
            Require(condition.Length == 1, $"condition '{condition.Name}' must have one element, not {Shapes.Format(condition.Shape!)}");

            if (condition.Constant is { } known)
            {
                bool taken = known.GetLong(0) != 0;
                string branch = taken ? "then_branch" : "else_branch";
                return SubgraphImporter.Inline(graph, node, branch, $"{node.Name}/{(taken ? "then" : "else")}/", new Value[0], node.Outputs, node.Guard).Nodes;
            }

            var then = SubgraphImporter.Inline(graph, node, "then_branch", $"{node.Name}/then/", new Value[0], null, new BranchGuard(condition, true, node.Guard));
            var otherwise = SubgraphImporter.Inline(graph, node, "else_branch", $"{node.Name}/else/", new Value[0], null, new BranchGuard(condition, false, node.Guard));
            Require(then.Outputs.Count == node.Outputs.Length && otherwise.Outputs.Count == node.Outputs.Length,
                $"has {node.Outputs.Length} outputs, its branches {then.Outputs.Count} and {otherwise.Outputs.Count}");
            var inputs = new List<Value?> { condition };
            inputs.AddRange(then.Outputs);
            inputs.AddRange(otherwise.Outputs);
            var select = new Node(node.Name, "IfSelect", InternalDomain, 1, inputs.ToArray(), node.Outputs, Attributes.Empty) { Guard = node.Guard, Scope = node.Scope };
            return then.Nodes.Concat(otherwise.Nodes).Append(select).ToList();
        }
    }

    /// <summary>
    /// The end of an If whose condition is known only at run time: inputs (condition, then-outputs…, else-outputs…),
    /// outputs the If's. Lowers to one guarded copy per output and branch, so it costs a copy of the outputs.
    /// </summary>
    public sealed class IfSelectOp : OpDefinition
    {
        public override string OpType => "IfSelect";

        public override string Domain => ControlFlowOp.InternalDomain;

        public override void InferShapes(Node node)
        {
            int n = node.Outputs.Length;
            Require(node.Inputs.Length == 1 + 2 * n, $"needs the condition and {n} outputs of each branch");
            var condition = node.Inputs[0]!;
            for (int k = 0; k < n; k++)
            {
                Value then = node.Inputs[1 + k]!, otherwise = node.Inputs[1 + n + k]!, output = node.Outputs[k];
                Require(then.Type == otherwise.Type,
                    $"its branches give output '{output.Name}' the element types {DataTypes.OnnxName(then.Type)} and {DataTypes.OnnxName(otherwise.Type)}");
                RequireSupported(then.Shape!.SequenceEqual(otherwise.Shape!),
                    $"input '{condition.Name}' must be known at build time: its branches give output '{output.Name}' the shapes "
                    + $"{Shapes.Format(then.Shape!)} and {Shapes.Format(otherwise.Shape!)}, and a compiled program has one shape per value");
                output.Type = then.Type;
                output.Shape = then.Shape;
            }
        }

        public override void Lower(LoweringContext ctx)
        {
            var node = ctx.Node;
            int n = node.Outputs.Length;
            for (int k = 0; k < n; k++)
            {
                ctx.Add(new CopyCall(ctx.Origin, ctx.Input(1 + k), ctx.Output(k)) { Guard = ctx.GuardOf(new BranchGuard(node.Inputs[0]!, true, node.Guard)) });
                ctx.Add(new CopyCall(ctx.Origin, ctx.Input(1 + n + k), ctx.Output(k)) { Guard = ctx.GuardOf(new BranchGuard(node.Inputs[0]!, false, node.Guard)) });
            }
        }
    }
}
