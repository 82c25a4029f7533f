"""Times GoogLeNet's conv1 (7×7, stride 2, 3 → 64 channels) forward plus input gradient, as a rendering step
needs it, in the forms tried for the engine, on one device:
  native   cuDNN's strided convolution over 3 channels;
  unfold   one matrix product over F.unfold's patches (the fifth session's engine form, since removed);
  s2d-12   space to depth: pad, pixel_unshuffle by the stride, then a stride-1 4×4 convolution over 12 channels;
  s2d-16   the same with the image padded to 4 channels first, so the convolution reads 16 (tensor-core aligned;
           the engine's model.inputConvolution: spaceToDepth, SpaceToDepthConv2d).
With NHWC weights, three more forms start from an NCHW image, as the engine's renderer hands it over:
cuDNN's conv1, space to depth with NHWC weights, and space to depth computed NCHW then converted to NHWC.
Each form is checked against native before it is timed. Usage: python3 conv1_forms.py [--batch 512] [--size 128]
"""
import argparse

import torch
import torch.nn.functional as F


def space_to_depth_weight(weight, stride, channels):
    """[O, C, k, k] → [O, channels·s², ⌈k/s⌉, ⌈k/s⌉], zero-padded to whole stride blocks and to `channels` inputs."""
    out, c, k, _ = weight.shape
    blocks = -(-k // stride)
    padded = F.pad(weight, (0, blocks * stride - k, 0, blocks * stride - k, 0, 0))
    if channels > c:
        padded = torch.cat([padded, padded.new_zeros(out, channels - c, blocks * stride, blocks * stride)], 1)
    # kh = a·s + i: channel index of pixel_unshuffle is c·s² + i·s + j
    return padded.reshape(out, channels, blocks, stride, blocks, stride).permute(0, 1, 3, 5, 2, 4).reshape(
        out, channels * stride * stride, blocks, blocks)


def space_to_depth_forward(x, weight, stride, padding, kernel, channels):
    _, c, h, w = x.shape
    out_h = (h + 2 * padding - kernel) // stride + 1
    out_w = (w + 2 * padding - kernel) // stride + 1
    blocks = -(-kernel // stride)
    need_h = (out_h + blocks - 1) * stride  # padded height the blocks read
    need_w = (out_w + blocks - 1) * stride
    x = F.pad(x, (padding, need_w - w - padding, padding, need_h - h - padding, 0, channels - c))
    x = F.pixel_unshuffle(x, stride)
    return F.conv2d(x, weight)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    device = "cuda"
    torch.manual_seed(0)
    weight32 = torch.randn(64, 3, 7, 7, device=device) * 0.1
    for dtype in (torch.bfloat16, torch.float32):
        for layout in (torch.channels_last, torch.contiguous_format):
            x0 = torch.rand(args.batch, 3, args.size, args.size, device=device).to(dtype).contiguous(memory_format=layout)
            weight = weight32.to(dtype).contiguous(memory_format=layout)
            forms = {
                "native": lambda x: F.conv2d(x, weight, stride=2, padding=3),
                "unfold": lambda x: torch.matmul(weight.reshape(64, -1), F.unfold(x, 7, 1, 3, 2)).view(x.shape[0], 64, 64, 64),
            }
            for channels in (3, 4):
                w2 = space_to_depth_weight(weight, 2, channels).contiguous(memory_format=layout)
                forms[f"s2d-{channels * 4}"] = (lambda w2, channels: lambda x: space_to_depth_forward(x, w2, 2, 3, 7, channels))(w2, channels)
            inputs = {name: layout for name in forms}
            if layout == torch.channels_last:
                # As the engine meets it: the rendered image arrives NCHW; the rest of the network is NHWC.
                w16 = space_to_depth_weight(weight, 2, 4)
                w16_nhwc = w16.contiguous(memory_format=torch.channels_last)
                forms["s2d-16 img NCHW"] = lambda x: space_to_depth_forward(x, w16_nhwc, 2, 3, 7, 4)
                forms["s2d-16 conv NCHW"] = lambda x: space_to_depth_forward(x, w16.contiguous(), 2, 3, 7, 4).contiguous(memory_format=torch.channels_last)
                forms["native img NCHW"] = lambda x: F.conv2d(x, weight, stride=2, padding=3)
                inputs.update({"s2d-16 img NCHW": torch.contiguous_format, "s2d-16 conv NCHW": torch.contiguous_format, "native img NCHW": torch.contiguous_format})
            reference = None
            for name, form in forms.items():
                x = x0.contiguous(memory_format=inputs[name]).clone().requires_grad_()
                y = form(x)
                y.backward(torch.ones_like(y))
                if reference is None:
                    reference = (y.float(), x.grad.float())
                err = max((y.float() - reference[0]).abs().max().item() / reference[0].abs().max().item(),
                          (x.grad.float() - reference[1]).abs().max().item() / reference[1].abs().max().item())
                gradient = torch.ones_like(y)
                torch.cuda.synchronize()
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(args.repeats):
                    x.grad = None
                    form(x).backward(gradient)
                end.record()
                torch.cuda.synchronize()
                ms = start.elapsed_time(end) / args.repeats
                print(f"CONV1 {str(dtype)[6:]:9} {'NHWC' if layout == torch.channels_last else 'NCHW'} {name:16} "
                      f"{ms:7.3f} ms fwd+dgrad   max rel diff {err:.2e}", flush=True)


if __name__ == "__main__":
    main()
