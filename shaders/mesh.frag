#version 330 core
// Writes colour (alpha = 1 where anything valid was drawn: the mask), disparity, the layer kind (anchor or not) and
// the detail gain of the current view.
// Holes and out-of-frame pixels keep the clear value 0 in every output.
// Compiled with DETAIL defined, it draws the detail texture (see infnat_core/detail.py); without, it costs nothing
// (software GL runs every branch, so a strength of 0 alone would not spare its cost).

uniform sampler2D color_tex;       // keyframe colour at its own (possibly native photo) resolution
uniform float is_anchor;           // 1 when this layer is the anchor (the photo), else 0

in vec2 v_uv;
in float v_valid;
in float v_cover;                  // interpolated coverage: this layer draws only where it is at least 0.5
in float v_view_z;

layout(location = 0) out vec4 out_color;      // rgb, mask
layout(location = 1) out vec2 out_geometry;   // 1 / view depth, whether the anchor drew the pixel
layout(location = 2) out float out_detail;    // log gain of the detail texture

#ifdef DETAIL
uniform float own_detail;          // 1 when the layer's colour is a photo, detailed down to its texel, else 0
uniform sampler2D detail_tex;      // tileable, mipmapped R32F log-luminance detail (see infnat_core/detail.py)
uniform float detail_per_unit;     // detail texture tiles per world unit
uniform float detail_strength;     // log gain = strength · detail (see apply_gain)
uniform float apply_detail;        // 1 (on screen): multiply the colour by the gain; 0 (read-back): write the gain
                                   // apart, so that refined keyframes stay free of it and it never compounds

in vec3 v_world;                   // world position of the surface
in vec3 v_normal;                  // its smoothed normal (not normalised)
in float v_ground;                 // 1 where all of the triangle is land, less next to sky

const float SHARP_ELONGATION = 3.0;       // footprint elongation (longer / shorter axis) with full detail
const float NO_DETAIL_ELONGATION = 8.0;   // and from which on there is none
const float MAX_GAIN = 1.0;               // |log gain| at most
const float NEAR_DEPTH = 10.0;            // view depth (the nearest ground is about 1 away) up to which the detail is
const float FAR_DEPTH = 30.0;             // full, and from which on there is none

// ``rgb`` with the log gain ``gain`` applied to its odds, rgb / (1 − rgb): like a plain gain for dark and mid tones,
// but highlights never clip (see infnat_core.detail.apply_gain).
vec3 apply_gain(vec3 rgb, float gain) {
    float g = exp(gain);
    return rgb * g / (1.0 + rgb * (g - 1.0));
}

// Detail of one planar projection at level of detail ``lod``, less what the layer's own colour resolves: the
// detail ``layer_octaves`` coarser (the layer's magnification; < 0 = the layer resolves none, as refined keyframes,
// which are kept without detail).
float projected(vec2 coords, float lod, float layer_octaves) {
    float layer = layer_octaves >= 0.0 ? textureLod(detail_tex, coords, lod + layer_octaves).r : 0.0;
    return textureLod(detail_tex, coords, lod).r - layer;
}

// One octave of the detail: the texture tiled ``scale`` times larger in the world, at level of detail ``lod``,
// projected along the world axis nearest the surface's normal ``n`` (a switch of axis is a seam between two
// patches of noise, which the eye does not find; blending all three projections would cost three times as much).
float octave(vec3 p, vec3 n, float scale, float lod, float layer_octaves) {
    p /= scale;
    vec2 coords = n.x > max(n.y, n.z) ? p.yz : (n.y > n.z ? p.xz : p.xy);
    return projected(coords, lod, layer_octaves);
}

float detail_gain() {
    vec3 p = v_world * detail_per_unit;
    vec3 dx = dFdx(p), dy = dFdy(p);
    vec2 texels = v_uv * vec2(textureSize(color_tex, 0));
    // Colour texels per pixel along the more magnified screen axis: below 1, the colour lacks detail there.
    float color_per_px = min(length(dFdx(texels)), length(dFdy(texels)));
    // The photo resolves detail down to its texel: only where it is magnified does it lack some.
    float layer_octaves = own_detail > 0.5 ? -log2(clamp(color_per_px, 1e-3, 1.0)) : -1.0;
    if (layer_octaves == 0.0) return 0.0;
    // Surfaces seen nearly edge-on (sheets stretched across depth edges, far grazing ground) would draw the
    // texture as streaks: the detail fades out as the pixel's footprint grows elongated.
    // (The footprint is the parallelogram of dx and dy: its area over its longer side is its width.)
    float area = length(cross(dx, dy)), longer = max(length(dx), length(dy));
    float elongation = longer * longer / max(area, 1e-12);
    // Far away (distant slopes, clouds the depth put at a finite distance) the camera never comes close enough
    // to magnify anything: no grain there.
    float fade = (1.0 - smoothstep(SHARP_ELONGATION, NO_DETAIL_ELONGATION, elongation)) * step(0.999, v_ground)
               * (1.0 - smoothstep(NEAR_DEPTH, FAR_DEPTH, v_view_z));
    if (fade <= 0.0) return 0.0;
    // Footprint of a pixel on the surface in texels: the square root of its area, so that grazing ground stays
    // sharp (the longer axis would blur its detail away; a cheap stand-in for anisotropic filtering).
    float lod = log2(max(sqrt(area) * float(textureSize(detail_tex, 0).x), 1e-6));
    vec3 n = abs(v_normal);
    // Nature looks alike at every scale: the texture repeats in octaves 4× apart in the world, and each pixel
    // shows the two whose texels are nearest its own size (levels of detail in [0, 2) and [-2, 0)), cross-faded
    // at constant contrast, so detail stays as dense at every distance and fades smoothly from one octave to the
    // next as the camera approaches.
    float k = floor(lod * 0.5);
    float f = lod * 0.5 - k;
    float scale = exp2(2.0 * k);
    float near_octave = octave(p, n, scale, lod - 2.0 * k, layer_octaves);
    float far_octave = octave(p, n, 4.0 * scale, lod - 2.0 * k - 2.0, layer_octaves);
    float gain = detail_strength * fade * (cos(f * 1.5707963) * near_octave + sin(f * 1.5707963) * far_octave);
    return clamp(gain, -MAX_GAIN, MAX_GAIN);
}
#endif

void main() {
#ifdef DETAIL
    float gain = detail_gain();  // before any discard: it takes screen-space derivatives
#else
    float gain = 0.0;
#endif
    // Torn fragments are dropped: what lies behind them (another layer) shows, or the hole stays 0 for refinement.
    if (v_view_z <= 0.0 || v_valid < 0.5 || v_cover < 0.5) discard;
    vec3 rgb = texture(color_tex, v_uv).rgb;
#ifdef DETAIL
    if (apply_detail > 0.5) rgb = apply_gain(rgb, gain);
#endif
    out_color = vec4(rgb, 1.0);
    out_geometry = vec2(1.0 / v_view_z, is_anchor);
    out_detail = gain;
}
