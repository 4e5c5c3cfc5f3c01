#version 330 core
// Sky at infinity: every pixel's view ray is rotated (never translated) into the photo's camera and into the
// world-aligned sky dome, so the sky and the horizon stay put while the camera moves. The photo's own sky
// (disparity at the floor) wins, at its native resolution; the dome (sky the refiner painted) extends it.
// Pixels that neither shows are left untouched (holes stay 0 for refinement).

uniform vec2 viewport_px;          // (width, height) of the target in pixels
uniform float flip_y;              // 1 for off-screen read-back (row 0 = top), -1 for an on-screen framebuffer
uniform vec4 view_intrinsics;      // current view (fx, fy, cx, cy) in texture units
uniform mat3 world_from_view;      // rotation of the current camera
uniform bool has_photo;            // whether the photo's sky is used
uniform mat3 photo_from_world;     // rotation of the photo camera
uniform vec4 photo_intrinsics;     // photo (fx, fy, cx, cy)
uniform float sky_disparity;       // disparity at or below which a photo pixel is sky
uniform sampler2D photo_disparity; // (H, W) R32F photo disparity (mesh resolution)
uniform sampler2D photo_color;     // photo colour (native resolution)
uniform sampler2D dome;            // equirectangular RGBA sky dome: x = longitude, y = latitude (top = up), a = painted
uniform float fill_gaps;           // 1 (on screen): sky the dome lacks, hidden behind land in the photo or beyond its
                                   // edge, takes the photo's sky just above or at the edge; 0 (read-back for
                                   // refinement): such pixels stay holes

layout(location = 0) out vec4 out_color;      // rgb, mask
layout(location = 1) out vec2 out_geometry;   // 1 / view depth, whether the anchor drew the pixel (never)
layout(location = 2) out float out_detail;    // log gain of the detail texture (none)

const float PI = 3.14159265358979;
const int GAP_SEARCH = 48;         // photo disparity texels searched upward for sky (fill_gaps)

void main() {
    vec2 uv = gl_FragCoord.xy / viewport_px;
    if (flip_y < 0.0) uv.y = 1.0 - uv.y;
    vec3 ray = vec3((uv - view_intrinsics.zw) / view_intrinsics.xy, 1.0);
    vec3 world = normalize(world_from_view * ray);
    vec2 hidden_uv = vec2(-1.0);   // photo coordinates of this direction where land hid the sky, if any
    if (has_photo) {
        vec3 p = photo_from_world * world;
        if (p.z > 0.0) {
            vec2 puv = p.xy / p.z * photo_intrinsics.xy + photo_intrinsics.zw;
            if (all(greaterThanEqual(puv, vec2(0.0))) && all(lessThanEqual(puv, vec2(1.0)))
                && texture(photo_disparity, puv).r <= sky_disparity) {
                out_color = vec4(texture(photo_color, puv).rgb, 1.0);
                out_geometry = vec2(0.01, 0.0);
                out_detail = 0.0;
                return;
            }
            hidden_uv = clamp(puv, 0.0, 1.0);  // land there, or beyond the photo's edge
        }
    }
    // World up is -y: latitude +90 deg at the top row of the dome.
    vec2 duv = vec2(atan(world.x, world.z) / (2.0 * PI) + 0.5, 0.5 - asin(clamp(-world.y, -1.0, 1.0)) / PI);
    vec4 painted = texture(dome, duv);
    if (painted.a < 0.5 && fill_gaps > 0.5 && hidden_uv.x >= 0.0) {
        // Sky that land hid in the photo (uncovered by parallax) or beyond its edge: the photo's sky at the edge
        // or right above that land.
        float step_v = 1.0 / float(textureSize(photo_disparity, 0).y);
        for (int i = 0; i <= GAP_SEARCH; ++i) {
            vec2 above = hidden_uv - vec2(0.0, step_v * float(i));
            if (above.y < 0.0) break;
            if (texture(photo_disparity, above).r <= sky_disparity) {
                out_color = vec4(texture(photo_color, above).rgb, 1.0);
                out_geometry = vec2(0.01, 0.0);
                out_detail = 0.0;
                return;
            }
        }
    }
    if (painted.a < 0.5) discard;
    // Unpainted texels are (0, 0, 0, 0): dividing by the filtered alpha averages only painted neighbours, so the
    // edge of the painted sky has no dark fringe.
    out_color = vec4(painted.rgb / painted.a, 1.0);
    out_geometry = vec2(0.01, 0.0);
    out_detail = 0.0;
}
