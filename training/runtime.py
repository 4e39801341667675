"""Where and how a run computes: the device, DistributedDataParallel under torchrun (NCCL on GPUs, gloo on
CPUs), bf16 autocast and channels-last memory on CUDA. Only rank 0 writes files."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass
class Runtime:
    device: torch.device
    rank: int
    world: int
    distributed: bool

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def autocast(self, enabled: bool):
        """bf16 autocast on CUDA when ``enabled`` (a no-op context otherwise)."""
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=enabled)

    def place(self, module: nn.Module) -> nn.Module:
        """``module`` on this device, channels-last on CUDA (faster convolutions there)."""
        module = module.to(self.device)
        return module.to(memory_format=torch.channels_last) if self.cuda else module

    def place_input(self, batch: torch.Tensor) -> torch.Tensor:
        """An NCHW batch in the layout :meth:`place` gave the modules."""
        return batch.contiguous(memory_format=torch.channels_last) if self.cuda else batch

    def parallel(self, module: nn.Module) -> nn.Module:
        """``module`` wrapped for DistributedDataParallel under torchrun, else ``module`` itself."""
        if not self.distributed:
            return module
        return DistributedDataParallel(module, device_ids=[self.device.index] if self.cuda else None)

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def close(self) -> None:
        if self.distributed:
            dist.destroy_process_group()


def setup_runtime() -> Runtime:
    """Single process, or one rank of a torchrun job (reads RANK, WORLD_SIZE, LOCAL_RANK)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1:
        rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        if torch.cuda.is_available():
            torch.cuda.set_device(local)
            device = torch.device("cuda", local)
            backend = "nccl"
        else:
            device, backend = torch.device("cpu"), "gloo"
        if not dist.is_initialized():
            dist.init_process_group(backend=backend)
        return Runtime(device=device, rank=rank, world=world, distributed=True)
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    return Runtime(device=device, rank=0, world=1, distributed=False)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
