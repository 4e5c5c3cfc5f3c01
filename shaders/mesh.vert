#version 330 core
// Keyframe mesh: one vertex per pixel centre of the keyframe's disparity map, placed in 3-D from that
// disparity and re-projected into the current view. No vertex buffers: the grid position comes from gl_VertexID.
// Vertex ids past the grid are the *skirt*: one vertex per border vertex, pushed radially far outward at the
// border's depth and coloured by the border, so that on screen the picture extends smeared beyond its edge until
// a refinement paints what lies there (the renderer draws the skirt only on screen).

uniform sampler2D disparity_tex;   // (H, W) R32F keyframe disparity in [0.01, 1]
uniform sampler2D edge_tex;        // (H, W) RG32F per-vertex: r = edge validity (1 keep, 0 torn depth edge),
                                   // g = coverage (1 = this layer draws here, 0 = another layer does)
uniform ivec2 grid_size;           // (W, H) of the disparity map
uniform vec4 key_intrinsics;       // keyframe (fx, fy, cx, cy) in texture units
uniform mat4 view_from_key;        // current camera from keyframe camera
#ifdef DETAIL
uniform mat4 world_from_key;       // world from keyframe camera (where the detail texture is anchored)
uniform float sky_disparity;       // disparity at or below which a vertex is sky
#endif
uniform mat4 clip_from_view;       // projection (see camera.gl_projection)
uniform float flip_y;              // 1 for off-screen read-back (row 0 = top), -1 for an on-screen framebuffer
uniform float hide_sky_below;      // vertices at or below this disparity are not drawn (the sky pass draws them)
uniform float depth_scale;         // < 1 pulls this layer nearer in the depth test only (layer priority)

out vec2 g_uv;
out float g_valid;
out float g_cover;
out float g_view_z;
out float g_key_z;
#ifdef DETAIL
out vec3 g_world;
out vec3 g_normal;                 // smoothed world normal of the surface (orients the detail texture)
out float g_ground;                // 1 on land, 0 on sky (at the far plane; the detail texture is for land only)
#endif

const float SKIRT_REACH = 3.0;      // a skirt vertex lies this many times its border vertex's offset from the centre
                                   // farther out (in keyframe texture units)

// The keyframe-camera point seen at texture position ``placed`` at ``depth``.
vec3 unproject(vec2 placed, float depth) {
    return vec3((placed - key_intrinsics.zw) / key_intrinsics.xy * depth, depth);
}

#ifdef DETAIL
const int NORMAL_REACH = 3;        // grid texels between the points whose cross product is the smoothed normal

// The keyframe-camera point of grid texel ``ij`` (clamped to the grid) at its disparity.
vec3 grid_point(ivec2 ij) {
    ij = clamp(ij, ivec2(0), grid_size - 1);
    return unproject((vec2(ij) + 0.5) / vec2(grid_size), 1.0 / clamp(texelFetch(disparity_tex, ij, 0).r, 0.01, 1.0));
}
#endif

// The k-th vertex (column, row) of the grid's border, clockwise from the top-left corner (2·W + 2·H − 4 in all).
ivec2 border_vertex(int k) {
    int w = grid_size.x, h = grid_size.y;
    if (k < w) return ivec2(k, 0);
    k -= w;
    if (k < h - 1) return ivec2(w - 1, k + 1);
    k -= h - 1;
    if (k < w - 1) return ivec2(w - 2 - k, h - 1);
    k -= w - 1;
    return ivec2(0, h - 2 - k);
}

void main() {
    int grid_vertices = grid_size.x * grid_size.y;
    bool skirt = gl_VertexID >= grid_vertices;
    ivec2 ij = skirt ? border_vertex(gl_VertexID - grid_vertices)
                     : ivec2(gl_VertexID % grid_size.x, gl_VertexID / grid_size.x);
    vec2 uv = (vec2(ij) + 0.5) / vec2(grid_size);
    vec2 placed = skirt ? uv + (uv - 0.5) * SKIRT_REACH : uv;
    float stored = texelFetch(disparity_tex, ij, 0).r;
    float disparity = clamp(stored, 0.01, 1.0);
    float depth = 1.0 / disparity;
    vec3 key_point = unproject(placed, depth);
    vec4 view_point = view_from_key * vec4(key_point, 1.0);
    g_uv = uv;
    vec2 validity = skirt ? vec2(1.0) : texelFetch(edge_tex, ij, 0).rg;
    g_valid = validity.r;
    g_cover = stored <= hide_sky_below ? 0.0 : validity.g;
    g_view_z = view_point.z;
    g_key_z = depth;
#ifdef DETAIL
    g_world = (world_from_key * vec4(key_point, 1.0)).xyz;
    vec3 across = grid_point(ij + ivec2(NORMAL_REACH, 0)) - grid_point(ij - ivec2(NORMAL_REACH, 0));
    vec3 down = grid_point(ij + ivec2(0, NORMAL_REACH)) - grid_point(ij - ivec2(0, NORMAL_REACH));
    g_normal = mat3(world_from_key) * cross(across, down);
    g_ground = stored > sky_disparity ? 1.0 : 0.0;
#endif
    // Scaling a view-space point toward the camera keeps its pixel and only changes its depth-test depth.
    gl_Position = clip_from_view * vec4(view_point.xyz * depth_scale, 1.0);
    gl_Position.y *= flip_y;
}
