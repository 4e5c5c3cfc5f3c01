"""Training and evaluation building blocks: VGG16 perceptual loss and LPIPS, the patch discriminator, losses."""
