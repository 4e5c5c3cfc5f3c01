#version 330 core
// Writes colour (alpha = 1 where anything valid was drawn: the mask), disparity and the layer kind (anchor or not)
// of the current view.
// Holes and out-of-frame pixels keep the clear value 0 in every output.

uniform sampler2D color_tex;       // keyframe colour at its own (possibly native photo) resolution
uniform float is_anchor;           // 1 when this layer is the anchor (the photo), else 0

in vec2 v_uv;
in float v_valid;
in float v_cover;                  // interpolated coverage: this layer draws only where it is at least 0.5
in float v_view_z;

layout(location = 0) out vec4 out_color;      // rgb, mask
layout(location = 1) out vec2 out_disparity;  // 1 / view depth, whether the anchor drew the pixel

void main() {
    // Torn fragments are dropped: what lies behind them (another layer) shows, or the hole stays 0 for refinement.
    if (v_view_z <= 0.0 || v_valid < 0.5 || v_cover < 0.5) discard;
    out_color = vec4(texture(color_tex, v_uv).rgb, 1.0);
    out_disparity = vec2(1.0 / v_view_z, is_anchor);
}
