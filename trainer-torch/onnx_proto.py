"""Just enough of the protobuf wire format to edit an ONNX model without the onnx package.

torch.onnx cannot export string inputs (torch has no string tensors), so the trainer exports categorical features as
int64 codes and then edits the ModelProto: each categorical input becomes a string input of the feature's name, feeding
an ai.onnx.ml LabelEncoder that yields the codes the network was exported with. Field numbers are those of onnx.proto
(proto2); only the fields edited here are decoded, everything else is copied byte for byte.
"""

# ModelProto
MODEL_OPSET_IMPORT = 8
MODEL_GRAPH = 7
# GraphProto
GRAPH_NODE = 1
GRAPH_INPUT = 11
# ValueInfoProto / NodeProto / AttributeProto / OperatorSetIdProto
NAME = 1
ELEM_FLOAT, ELEM_INT64, ELEM_STRING = 1, 7, 8
ATTR_INT, ATTR_STRINGS, ATTR_INTS = 2, 8, 7

WIRE_VARINT, WIRE_64, WIRE_BYTES, WIRE_32 = 0, 1, 2, 5


def varint(value):
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Yields (field number, wire type, value, raw bytes of the whole field) for each field of a message."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == WIRE_VARINT:
            value, pos = read_varint(data, pos)
        elif wire == WIRE_64:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == WIRE_32:
            value, pos = data[pos:pos + 4], pos + 4
        elif wire == WIRE_BYTES:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value, data[start:pos]


def field_bytes(number, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return varint((number << 3) | WIRE_BYTES) + varint(len(payload)) + payload


def field_varint(number, value):
    return varint((number << 3) | WIRE_VARINT) + varint(value)


def name_of(message):
    for number, wire, value, _ in fields(message):
        if number == NAME and wire == WIRE_BYTES:
            return value.decode("utf-8")
    return None


def tensor_value_info(name, elem_type, dims):
    """A ValueInfoProto of a tensor; dims are ints (fixed) or strings (symbolic)."""
    shape = b"".join(field_bytes(1, field_varint(1, d) if isinstance(d, int) else field_bytes(2, d)) for d in dims)
    tensor_type = field_varint(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def node(op_type, inputs, outputs, name, domain="", attributes=()):
    body = b"".join(field_bytes(1, i) for i in inputs) + b"".join(field_bytes(2, o) for o in outputs)
    body += field_bytes(3, name) + field_bytes(4, op_type)
    body += b"".join(field_bytes(5, a) for a in attributes)
    if domain:
        body += field_bytes(7, domain)
    return body


def attribute_int(name, value):
    return field_bytes(1, name) + field_varint(3, value) + field_varint(20, ATTR_INT)


def attribute_ints(name, values):
    return field_bytes(1, name) + b"".join(field_varint(8, v) for v in values) + field_varint(20, ATTR_INTS)


def attribute_strings(name, values):
    return field_bytes(1, name) + b"".join(field_bytes(9, v) for v in values) + field_varint(20, ATTR_STRINGS)


def opset_import(domain, version):
    return field_bytes(1, domain) + field_varint(2, version)


def replace_inputs_with_string_encoders(model, encoders):
    """
    encoders: {code input name: (feature name, [categories])}. Each code input (int64) is removed from the graph's
    inputs; a string input named after the feature takes its place, and a LabelEncoder maps category k of the list to
    code k + 1 and anything else (an unseen or missing category) to 0.
    """
    new_nodes = []
    new_inputs = {}
    for code_name, (feature, categories) in encoders.items():
        new_inputs[code_name] = field_bytes(GRAPH_INPUT, tensor_value_info(feature, ELEM_STRING, ["N", 1]))
        encoder = node("LabelEncoder", [feature], [code_name], f"encode_{code_name}", domain="ai.onnx.ml", attributes=[
            attribute_strings("keys_strings", categories),
            attribute_ints("values_int64s", range(1, len(categories) + 1)),
            attribute_int("default_int64", 0),
        ])
        new_nodes.append(field_bytes(GRAPH_NODE, encoder))

    out = bytearray()
    for number, wire, value, raw in fields(model):
        if number == MODEL_GRAPH and wire == WIRE_BYTES:
            out += field_bytes(MODEL_GRAPH, _edit_graph(value, encoders, new_nodes, new_inputs))
        else:
            out += raw
    out += field_bytes(MODEL_OPSET_IMPORT, opset_import("ai.onnx.ml", 2))
    return bytes(out)


def _edit_graph(graph, encoders, new_nodes, new_inputs):
    out = bytearray()
    nodes_written = False
    replaced = set()
    for number, wire, value, raw in fields(graph):
        if number == GRAPH_NODE and not nodes_written:
            out += b"".join(new_nodes)  # Before the network's nodes: the graph stays topologically sorted.
            nodes_written = True
        name = name_of(value) if number == GRAPH_INPUT else None
        if name in new_inputs:
            out += new_inputs[name]  # In place: the inputs keep the features' order.
            replaced.add(name)
            continue
        out += raw
    if not nodes_written:
        out += b"".join(new_nodes)
    missing = set(new_inputs) - replaced
    if missing:
        raise ValueError(f"the exported graph has no input(s) {sorted(missing)}")
    return bytes(out)


def graph_io(model):
    """(inputs, outputs) of the model's graph: lists of (name, elem_type)."""
    def elem_type(value_info):
        for number, _, value, _ in fields(value_info):
            if number == 2:
                for n2, _, tensor, _ in fields(value):
                    if n2 == 1:
                        for n3, _, v3, _ in fields(tensor):
                            if n3 == 1:
                                return v3
        return None

    inputs, outputs = [], []
    for number, wire, value, _ in fields(model):
        if number == MODEL_GRAPH and wire == WIRE_BYTES:
            for n, w, v, _ in fields(value):
                if n in (GRAPH_INPUT, 12):
                    (inputs if n == GRAPH_INPUT else outputs).append((name_of(v), elem_type(v)))
    return inputs, outputs
