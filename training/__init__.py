"""Tintype training: the study's three models (U-Net, Deep Koalarization, conditional GAN), data,
training on CUDA or CPU (DDP through torchrun), ONNX export for the engine, and evaluation."""
