#!/usr/bin/env python3
"""The reference pipeline for `infeval bench`: the same synthetic workload through PyTorch + Hugging Face
transformers, on the same card, so that speedups are same-run ratios (issue 7).

Model (random weights at the real shapes, nothing downloaded):
  transformers.Blip2VisionModel (its config defaults are EVA ViT-g: width 1408, 39 layers, 16 heads, MLP 6144,
  patch 14; image_size set; its post_layernorm plays ln_vision) -> a torch pool-adapter (adaptive_avg_pool2d to
  P x P, Linear 1408->4096, GELU, Linear 4096->4096) -> LlamaForCausalLM(LlamaConfig 7B) in bf16 with
  attn_implementation="sdpa", generate(inputs_embeds=..., num_beams=B, max_new_tokens=T, min_new_tokens=T).
Workload (the same formula as benchmarks/bench_synthetic.cpp): prompt = [bos + 4 tokens] + visual tokens +
  [3 + (6 + (q * 7919) % 15) + 3 tokens], left-padded per batch; a fresh random image per question (the reference
  has no feature reuse).

--export DIR writes a reduced-depth model at the same widths (--export-vit-layers / --export-llm-layers) with
InfMLLM state-dict names (bf16 safetensors) + config.json, and reference.safetensors with one batch's exact inputs
and its first-step logits (bf16, and fp32 from upcast copies of the same weights), for
`infeval bench --compare-logits DIR`.

Prints one JSON object (also to --output): card, versions, ceilings, per setting questions/s and stage seconds.
"""
import argparse
import json
import math
import os
import sys
import time
import traceback


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda")
    p.add_argument("--image-size", type=int, default=448, choices=[224, 448])
    p.add_argument("--settings", default="2x5,64x5",
                   help="comma-separated BATCHxBEAMS settings to time (default: official 2x5 and batched 64x5)")
    p.add_argument("--questions", type=int, default=0,
                   help="questions per setting (default: 8 batches, or 2 batches when the batch is >= 32)")
    p.add_argument("--max-new-tokens", type=int, default=10)
    p.add_argument("--quick", action="store_true", help="few batches per setting (4 small / 2 large)")
    p.add_argument("--skip-bench", action="store_true", help="only --export")
    p.add_argument("--export", default="", help="write the logits-comparison directory here")
    p.add_argument("--export-vit-layers", type=int, default=2)
    p.add_argument("--export-llm-layers", type=int, default=2)
    p.add_argument("--export-batch", type=int, default=4)
    p.add_argument("--output", default="", help="write the result JSON here too")
    p.add_argument("--seed", type=int, default=1234)
    return p.parse_args()


def log(msg):
    print(f"reference: {msg}", file=sys.stderr, flush=True)


def question_tokens(q):
    return 6 + (q * 7919) % 15


def pool_for(image_size):
    return 16 if image_size == 448 else 8


def build_models(torch, transformers, device, image_size, vit_layers=39, llm_layers=32, dtype=None, attn="sdpa"):
    """Blip2VisionModel (EVA ViT-g shape), the pool-adapter and LlamaForCausalLM 7B, random weights, on device."""
    nn = torch.nn
    dtype = dtype or torch.bfloat16
    vcfg = transformers.Blip2VisionConfig(hidden_size=1408, intermediate_size=6144, num_hidden_layers=vit_layers,
                                          num_attention_heads=16, image_size=image_size, patch_size=14,
                                          hidden_act="gelu", layer_norm_eps=1e-6, qkv_bias=True)
    lcfg = transformers.LlamaConfig(vocab_size=32000, hidden_size=4096, intermediate_size=11008,
                                    num_hidden_layers=llm_layers, num_attention_heads=32, num_key_value_heads=32,
                                    max_position_embeddings=4096, rms_norm_eps=1e-5, bos_token_id=1,
                                    eos_token_id=2, pad_token_id=0, tie_word_embeddings=False)
    try:
        lcfg._attn_implementation = attn
    except Exception:  # noqa: BLE001 - config classes differ between versions; set_attn below retries
        pass

    class PoolAdapter(nn.Module):
        def __init__(self, width, hidden, pool):
            super().__init__()
            self.pool = pool
            self.mlp = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, hidden))

        def forward(self, feats):  # [B, 1 + s*s, W] -> [B, P*P, hidden]
            b, n, c = feats.shape
            s = int(round(math.sqrt(n - 1)))
            x = feats[:, 1:, :].reshape(b, s, s, c).permute(0, 3, 1, 2)
            x = torch.nn.functional.adaptive_avg_pool2d(x, self.pool).flatten(2).transpose(1, 2)
            return self.mlp(x)

    previous = torch.get_default_dtype()
    try:
        try:
            torch.set_default_dtype(dtype)  # build in bf16 directly (no fp32 7B copy on the card)
        except Exception:  # noqa: BLE001 - then build in fp32 and cast below
            pass
        with torch.device(device):
            vision = transformers.Blip2VisionModel(vcfg)
            adapter = PoolAdapter(1408, 4096, pool_for(image_size))
            try:
                llm = transformers.LlamaForCausalLM(lcfg)
            except TypeError:
                llm = transformers.LlamaForCausalLM._from_config(lcfg)
    finally:
        torch.set_default_dtype(previous)
    # Cast parameters only: Module.to(dtype) would also round LLaMA's fp32 RoPE inv_freq buffer to bf16.
    with torch.no_grad():
        for m in (vision, adapter, llm):
            m.to(device)
            for p in m.parameters():
                if p.dtype != dtype:
                    p.data = p.data.to(dtype)
    vision, adapter, llm = (m.eval() for m in (vision, adapter, llm))
    if getattr(llm.config, "_attn_implementation", None) != attn and hasattr(llm, "set_attn_implementation"):
        try:
            llm.set_attn_implementation(attn)
        except Exception as e:  # noqa: BLE001
            log(f"set_attn_implementation({attn}) failed: {e!r}")
    randomize(torch, vision, adapter, llm)
    return vision, adapter, llm


def randomize(torch, vision, adapter, llm):
    """Unit-scale random weights (as benchmarks/bench_synthetic.cpp): norm weights 1, biases N(0, .02), matrices
    N(0, 1/fan_in), cls/pos N(0, .02). The fused qkv bias (newer Blip2) keeps a zero k part (EVA has no k bias)."""
    with torch.no_grad():
        for module in (vision, adapter, llm):
            for name, p in module.named_parameters():
                if p.dim() == 1:
                    if "norm" in name and name.endswith("weight"):
                        p.fill_(1.0)
                    else:
                        p.normal_(0.0, 0.02)
                elif "class_embedding" in name or "position_embedding" in name:
                    p.normal_(0.0, 0.02)
                else:
                    fan_in = p[0].numel()
                    p.normal_(0.0, 1.0 / math.sqrt(fan_in))
        for layer in vision.encoder.layers:
            qkv = layer.self_attn.qkv
            if getattr(qkv, "bias", None) is not None:
                w = qkv.bias.shape[0] // 3
                qkv.bias[w:2 * w].zero_()


def make_prompt_ids(torch, q, generator):
    before = [1] + torch.randint(3, 32000, (4,), generator=generator).tolist()
    after = torch.randint(3, 32000, (3 + question_tokens(q) + 3,), generator=generator).tolist()
    return before, after


def assemble(torch, llm, prompts, visual, device):
    """Left-padded inputs_embeds [Q, L, 4096] and attention_mask [Q, L]; pads are embed(0) with mask 0."""
    embed = llm.get_input_embeddings()
    pieces, lengths = [], []
    for (before, after), vis in zip(prompts, visual):
        ids_b = torch.tensor(before, device=device)
        ids_a = torch.tensor(after, device=device)
        row = torch.cat([embed(ids_b), vis.to(embed.weight.dtype), embed(ids_a)], 0)
        pieces.append(row)
        lengths.append(row.shape[0])
    L = max(lengths)
    pad = embed(torch.zeros(1, dtype=torch.long, device=device))[0]
    embeds = pad.expand(len(pieces), L, pad.shape[0]).clone()
    mask = torch.zeros(len(pieces), L, dtype=torch.long, device=device)
    for i, row in enumerate(pieces):
        embeds[i, L - row.shape[0]:] = row
        mask[i, L - row.shape[0]:] = 1
    return embeds, mask


def vision_tokens(vision, adapter, pixels):
    feats = vision(pixel_values=pixels).last_hidden_state  # post_layernorm = ln_vision
    return adapter(feats)


def measure_ceilings(torch, device):
    a = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        a @ b
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    gemm = 2 * 8192 ** 3 / sorted(times)[5] / 1e12
    del a, b
    src = torch.randn(1 << 29, device=device)  # 2 GiB
    dst = torch.empty_like(src)
    dst.copy_(src)
    torch.cuda.synchronize()
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        dst.copy_(src)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    copy = 2 * src.numel() * 4 / sorted(times)[5] / 1e9
    del src, dst
    torch.cuda.empty_cache()
    return {"gemm_tflops_bf16_8192": gemm, "copy_gbps": copy}


def run_setting(torch, vision, adapter, llm, device, image_size, batch, beams, questions, max_new, seed):
    gen = torch.Generator().manual_seed(seed)
    timed = {"vision_adapter": 0.0, "generate": 0.0}
    full_length = True

    def one_batch(first, count, record):
        nonlocal full_length
        prompts = [make_prompt_ids(torch, q, gen) for q in range(first, first + count)]
        pixels = torch.randn(count, 3, image_size, image_size, device=device)
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        visual = vision_tokens(vision, adapter, pixels)
        torch.cuda.synchronize()
        t1 = time.perf_counter()
        embeds, mask = assemble(torch, llm, prompts, visual, device)
        out = llm.generate(inputs_embeds=embeds, attention_mask=mask, num_beams=beams, do_sample=False,
                           max_new_tokens=max_new, min_new_tokens=max_new, pad_token_id=0, eos_token_id=2,
                           bos_token_id=1, use_cache=True)
        torch.cuda.synchronize()
        t2 = time.perf_counter()
        sequences = out.sequences if hasattr(out, "sequences") else out
        if sequences.shape[1] != max_new:
            full_length = False
        if record:
            timed["vision_adapter"] += t1 - t0
            timed["generate"] += t2 - t1

    with torch.inference_mode():
        one_batch(0, batch, False)  # warm-up
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
        start = time.perf_counter()
        for first in range(0, questions, batch):
            one_batch(first, min(batch, questions - first), True)
        torch.cuda.synchronize()
        wall = time.perf_counter() - start
    return {"batch": batch, "beams": beams, "questions": questions, "max_new_tokens": max_new,
            "seconds": wall, "questions_per_s": questions / wall, "seconds_per_batch": wall / math.ceil(questions / batch),
            "stage_seconds": timed, "all_questions_decoded_max_new_tokens": full_length,
            "peak_memory_gib": torch.cuda.max_memory_allocated() / 2 ** 30}


def infmllm_state_dict(vision, adapter, llm):
    """The models' weights under InfMLLM's state-dict names (model/weights.h)."""
    out = {}
    unknown = []
    for name, t in vision.state_dict().items():
        n = name
        if n == "embeddings.class_embedding":
            out["visual_encoder.cls_token"] = t.reshape(1, 1, -1)
        elif n == "embeddings.position_embedding" or n == "embeddings.position_embedding.weight":
            out["visual_encoder.pos_embed"] = t.reshape(1, -1, t.shape[-1])
        elif n.startswith("embeddings.patch_embedding."):
            out["visual_encoder.patch_embed.proj." + n.split(".")[-1]] = t
        elif n.startswith("post_layernorm."):
            out["ln_vision." + n.split(".")[-1]] = t
        elif n.startswith("encoder.layers."):
            parts = n.split(".")
            i, rest = parts[2], ".".join(parts[3:])
            b = f"visual_encoder.blocks.{i}."
            table = {"layer_norm1.weight": "norm1.weight", "layer_norm1.bias": "norm1.bias",
                     "layer_norm2.weight": "norm2.weight", "layer_norm2.bias": "norm2.bias",
                     "self_attn.qkv.weight": "attn.qkv.weight", "self_attn.q_bias": "attn.q_bias",
                     "self_attn.v_bias": "attn.v_bias", "self_attn.projection.weight": "attn.proj.weight",
                     "self_attn.projection.bias": "attn.proj.bias", "mlp.fc1.weight": "mlp.fc1.weight",
                     "mlp.fc1.bias": "mlp.fc1.bias", "mlp.fc2.weight": "mlp.fc2.weight",
                     "mlp.fc2.bias": "mlp.fc2.bias"}
            if rest == "self_attn.qkv.bias":  # fused (q, 0, v)
                w = t.shape[0] // 3
                out[b + "attn.q_bias"] = t[:w]
                out[b + "attn.v_bias"] = t[2 * w:]
            elif rest in table:
                out[b + table[rest]] = t
            else:
                unknown.append(name)
        else:
            unknown.append(name)
    for name, t in adapter.state_dict().items():
        out["pooler." + name] = t
    for name, t in llm.state_dict().items():
        if name.startswith("model."):
            out["lm_model." + name] = t
        elif name == "lm_head.weight":
            out["lm_model.lm_head.weight"] = t
        else:
            unknown.append(name)
    unknown = [u for u in unknown if "rotary_emb" not in u and "position_ids" not in u]
    if unknown:
        raise RuntimeError(f"state-dict names not mapped to InfMLLM's: {unknown[:8]}")
    return {k: v.detach().contiguous() for k, v in out.items()}


def export(torch, transformers, args, device):
    from safetensors.torch import save_file
    t0 = time.perf_counter()
    os.makedirs(args.export, exist_ok=True)
    # Eager attention: the reference semantics for left-padded rows (no NaN from fully masked pad queries).
    vision, adapter, llm = build_models(torch, transformers, device, args.image_size, args.export_vit_layers,
                                        args.export_llm_layers, attn="eager")
    weights = infmllm_state_dict(vision, adapter, llm)
    save_file({k: v.to(torch.bfloat16).cpu() for k, v in weights.items()}, os.path.join(args.export, "model.safetensors"))
    config = {
        "model_type": "infmllm", "name": "reference-export", "image_size": args.image_size,
        "pool_out_size": pool_for(args.image_size),
        "vision": {"patch_size": 14, "width": 1408, "depth": args.export_vit_layers, "heads": 16, "mlp_dim": 6144,
                   "layer_norm_eps": 1e-6, "qkv_bias": True},
        "ln_vision_eps": 1e-6,  # Blip2VisionModel's post_layernorm uses the vision eps
        "lm": {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
               "num_hidden_layers": args.export_llm_layers, "num_attention_heads": 32, "num_key_value_heads": 32,
               "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 4096, "bos_token_id": 1,
               "eos_token_id": 2, "pad_token_id": 0, "hidden_act": "silu", "tie_word_embeddings": False},
    }
    with open(os.path.join(args.export, "config.json"), "w") as f:
        json.dump(config, f, indent=1)

    gen = torch.Generator().manual_seed(args.seed + 1)
    B = args.export_batch
    prompts = [make_prompt_ids(torch, q, gen) for q in range(B)]  # ragged: left padding is exercised
    pixels = torch.randn(B, 3, args.image_size, args.image_size, generator=gen).to(device)

    def first_step(v, a, l, px):
        visual = vision_tokens(v, a, px)
        embeds, mask = assemble(torch, l, prompts, visual, device)
        position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
        logits = l(inputs_embeds=embeds, attention_mask=mask, position_ids=position_ids).logits[:, -1].float()
        return visual, embeds, mask, logits

    with torch.inference_mode():
        visual, embeds, mask, logits = first_step(vision, adapter, llm, pixels)
    # fp32 copies of the same (bf16-rounded) weights: how far each bf16 implementation is from fp32.
    vision32, adapter32, llm32 = (m.float() for m in (vision, adapter, llm))
    with torch.inference_mode():
        logits32 = first_step(vision32, adapter32, llm32, pixels)[3]
    n_after = max(len(a) for _, a in prompts)
    after = torch.zeros(B, n_after, dtype=torch.long)
    for i, (_, a) in enumerate(prompts):
        after[i, :len(a)] = torch.tensor(a)
    ref = {
        "pixel_values": pixels.float().cpu(),
        "visual_tokens": visual.float().cpu(),
        "inputs_embeds": embeds.float().cpu(),
        "attention_mask": mask.long().cpu(),
        "logits": logits.cpu(),
        "logits_fp32": logits32.float().cpu(),
        "before_ids": torch.tensor([b for b, _ in prompts], dtype=torch.long),
        "after_ids": after,
        "after_lengths": torch.tensor([len(a) for _, a in prompts], dtype=torch.long),
    }
    save_file({k: v.contiguous() for k, v in ref.items()}, os.path.join(args.export, "reference.safetensors"))
    rel = ((logits - logits32).double().norm() / logits32.double().norm()).item()
    del vision, adapter, llm, vision32, adapter32, llm32
    torch.cuda.empty_cache()
    return {"dir": args.export, "vit_layers": args.export_vit_layers, "llm_layers": args.export_llm_layers,
            "batch": B, "seconds": time.perf_counter() - t0, "reference_bf16_vs_fp32_rel_l2": rel,
            "logits_finite": bool(torch.isfinite(ref["logits"]).all().item())}


def main():
    args = parse_args()
    result = {"benchmark": "reference pipeline (HF Blip2VisionModel + pool-adapter + LlamaForCausalLM, bf16)",
              "image_size": args.image_size, "settings": [], "errors": []}

    def write():
        text = json.dumps(result, indent=2)
        if args.output:
            with open(args.output, "w") as f:
                f.write(text + "\n")
        return text

    try:
        import torch
        import transformers
        result["versions"] = {"torch": torch.__version__, "transformers": transformers.__version__,
                              "python": sys.version.split()[0]}
        device = torch.device(args.device)
        result["card"] = torch.cuda.get_device_name(device)
        torch.manual_seed(args.seed)
        log(f"{result['card']}, torch {torch.__version__}, transformers {transformers.__version__}")
    except Exception as e:  # noqa: BLE001 - report and stop: nothing else can run
        result["errors"].append(f"setup: {e!r}")
        print(write())
        return 3

    if args.export:
        try:
            result["export"] = export(torch, transformers, args, device)
            log(f"export: {result['export']}")
        except Exception as e:  # noqa: BLE001 - the timings can still run
            traceback.print_exc()
            result["errors"].append(f"export: {e!r}")
        write()

    if not args.skip_bench:
        try:
            result["ceilings"] = measure_ceilings(torch, device)
            log(f"ceilings: {result['ceilings']}")
            t0 = time.perf_counter()
            vision, adapter, llm = build_models(torch, transformers, device, args.image_size)
            result["build_seconds"] = time.perf_counter() - t0
            result["attn_implementation"] = getattr(llm.config, "_attn_implementation", None)
            log(f"models built in {result['build_seconds']:.1f} s (llm attention: {result['attn_implementation']})")
        except Exception as e:  # noqa: BLE001
            traceback.print_exc()
            result["errors"].append(f"build: {e!r}")
            print(write())
            return 3
        for setting in args.settings.split(","):
            try:
                batch, beams = (int(x) for x in setting.lower().split("x"))
                n = args.questions or batch * ((4 if batch < 32 else 2) if args.quick else (8 if batch < 32 else 2))
                r = run_setting(torch, vision, adapter, llm, device, args.image_size, batch, beams, n,
                                args.max_new_tokens, args.seed)
                result["settings"].append(r)
                log(f"batch {batch} beams {beams}: {r['questions_per_s']:.2f} questions/s "
                    f"({r['seconds_per_batch']:.3f} s/batch, peak {r['peak_memory_gib']:.1f} GiB)")
            except Exception as e:  # noqa: BLE001 - the next setting can still run
                traceback.print_exc()
                result["errors"].append(f"setting {setting}: {e!r}")
                torch.cuda.empty_cache()
                if "out of memory" in repr(e).lower() and batch >= 32:
                    # H100 (80 GB) may not hold batch 64 x 5 beams; batch 32 is within 2% of it on an H200.
                    try:
                        r = run_setting(torch, vision, adapter, llm, device, args.image_size, batch // 2, beams,
                                        n // 2, args.max_new_tokens, args.seed)
                        r["fallback_from_batch"] = batch
                        result["settings"].append(r)
                        log(f"batch {batch // 2} beams {beams} (fallback): {r['questions_per_s']:.2f} questions/s")
                    except Exception as e2:  # noqa: BLE001
                        result["errors"].append(f"setting {setting} fallback: {e2!r}")
                        torch.cuda.empty_cache()
            write()
    print(write())
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
