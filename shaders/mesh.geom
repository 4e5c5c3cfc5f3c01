#version 330 core
// Marks torn triangles: a triangle is torn when it is stretched on screen far beyond what the change of depth
// explains. Torn triangles keep Infinite Nature's per-vertex edge mask (interpolating toward 0); all others are
// fully valid, so depth edges that do not open up in the current view (e.g. at the keyframe's own pose) are kept.

layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

uniform vec2 viewport_px;          // (width, height) of the target in pixels
uniform ivec2 grid_size;           // (W, H) of the keyframe's disparity grid
uniform vec4 key_intrinsics;       // keyframe (fx, fy, cx, cy)
uniform float view_fx;             // current view's fx (texture units)
uniform float stretch_threshold;   // longest edge / expected diagonal above which a triangle is torn
uniform float show_torn;           // 1 (on-screen): draw torn triangles stretched, behind everything valid, so
                                   // a disocclusion shows smeared surroundings until it is refined; 0 (read-back
                                   // for refinement): they stay holes

in vec2 g_uv[];
in float g_valid[];
in float g_cover[];
in float g_view_z[];
in float g_key_z[];
#ifdef DETAIL
in vec3 g_world[];
in vec3 g_normal[];
in float g_ground[];
#endif

out vec2 v_uv;
out float v_valid;
out float v_cover;
out float v_view_z;
#ifdef DETAIL
out vec3 v_world;
out vec3 v_normal;
out float v_ground;
#endif

void main() {
    // Nothing of a triangle whose vertices are all uncovered survives the fragment test: skip rasterising it.
    if (max(max(g_cover[0], g_cover[1]), g_cover[2]) < 0.5) return;
    bool torn = false;
    bool in_front = gl_in[0].gl_Position.w > 0.0 && gl_in[1].gl_Position.w > 0.0 && gl_in[2].gl_Position.w > 0.0;
    if (in_front) {
        vec2 p[3];
        float expected = 0.0;
        for (int i = 0; i < 3; ++i) {
            p[i] = gl_in[i].gl_Position.xy / gl_in[i].gl_Position.w * 0.5 * viewport_px;
            // One keyframe pixel at key depth z_key seen from depth z_view spans this many target pixels.
            expected += viewport_px.x / float(grid_size.x) * view_fx / key_intrinsics.x * g_key_z[i] / g_view_z[i];
        }
        expected = max(expected / 3.0, 1e-3) * 1.41421356;
        float longest = max(max(distance(p[0], p[1]), distance(p[1], p[2])), distance(p[2], p[0]));
        torn = longest > stretch_threshold * expected;
    }
    // Not across a layer's edge (coverage, or sky left to the sky pass): what lies there is another layer's to draw.
    bool stretched = torn && show_torn > 0.5 && min(min(g_cover[0], g_cover[1]), g_cover[2]) >= 0.5;
    // A torn triangle shows only where its interpolated edge validity reaches 0.5: nowhere if no vertex does
    // (rasterising it would shade a stretched sliver of discarded fragments).
    if (!stretched && (torn || !in_front) && max(max(g_valid[0], g_valid[1]), g_valid[2]) < 0.5) return;
    for (int i = 0; i < 3; ++i) {
        gl_Position = gl_in[i].gl_Position;
        // Halfway to the far plane in clip space: any valid surface at a similar depth wins the depth test.
        if (stretched) gl_Position.z = mix(gl_Position.z, gl_Position.w, 0.5);
        v_uv = g_uv[i];
        v_valid = (in_front && (!torn || stretched)) ? 1.0 : g_valid[i];
        v_view_z = g_view_z[i];
        v_cover = g_cover[i];
#ifdef DETAIL
        v_world = g_world[i];
        v_normal = g_normal[i];
        v_ground = g_ground[i];
#endif
        EmitVertex();
    }
    EndPrimitive();
}
