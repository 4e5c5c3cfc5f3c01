#version 330 core
// Procedural look of the synthetic terrain (infnat_core/data/terrain_render.py): sky gradient, sun and clouds;
// grass / forest / rock / snow by altitude and slope, beaches and water at the water level; distance haze.
// Writes colour and exact disparity (1 / view z; the sky writes 0, which the reader turns into a sky mask).

uniform vec3 camera_position;   // world position of the camera
uniform vec3 sun_direction;     // unit world vector toward the sun
uniform vec3 sun_color;
uniform vec3 zenith_color;
uniform vec3 horizon_color;     // also the haze colour
uniform float haze_density;     // extinction per world unit
uniform float haze_edge;        // distance at which the grid ends: haze is complete there
uniform float cloud_cover;      // [0, 1]
uniform float cloud_height;     // world height of the cloud layer
uniform float cloud_scale;      // texture repeats per world unit
uniform vec2 cloud_offset;
uniform sampler2D cloud_tex;    // R8, values uniformly distributed in [0, 1]

layout(location = 0) out vec4 out_color;       // rgb, 1
layout(location = 1) out float out_disparity;  // 1 / view depth

const float SKY_DISPARITY = 0.0;  // terrain never writes 0: its disparity is at least 1 / far
const vec3 UP = vec3(0.0, -1.0, 0.0);

vec3 sky_base(vec3 dir) {
    float up = dot(dir, UP);
    vec3 c = mix(horizon_color, zenith_color, pow(clamp(up, 0.0, 1.0), 0.45));
    c *= 1.0 - 0.25 * clamp(-up * 4.0, 0.0, 1.0);  // a little darker below the horizon
    float s = max(dot(dir, sun_direction), 0.0);
    c += sun_color * (0.22 * pow(s, 6.0) + 0.5 * pow(s, 80.0) + 2.0 * smoothstep(0.9994, 0.9997, s));
    return c;
}

vec3 sky(vec3 dir) {
    vec3 c = sky_base(dir);
    float up = dot(dir, UP);
    float above = cloud_height + camera_position.y;  // cloud layer height above the camera
    if (up > 0.0 && cloud_cover > 0.0 && above > 0.0) {
        float t = above / up;
        vec2 p = (camera_position.xz + dir.xz * t) * cloud_scale + cloud_offset;
        float n = texture(cloud_tex, p).r;
        float density = smoothstep(1.0 - cloud_cover - 0.05, 1.0 - cloud_cover + 0.3, n);
        density *= smoothstep(0.0, 0.15, up);
        float thick = texture(cloud_tex, p * 2.7 + 0.31).r;
        float sun_up = clamp(dot(sun_direction, UP), 0.0, 1.0);
        vec3 lit = mix(sun_color, vec3(1.0), 0.5) * (0.85 + 0.15 * sun_up);
        vec3 shade = mix(horizon_color, vec3(0.55, 0.57, 0.62), 0.5);
        vec3 cloud = mix(lit, shade, clamp(density * (0.3 + 0.7 * thick) - 0.2, 0.0, 0.7));
        c = mix(c, cloud, density * 0.95);
    }
    return c;
}

#ifdef SKY

uniform mat3 world_from_view;   // rotation of the camera
uniform vec4 intrinsics;        // (fx, fy, cx, cy) in texture units

in vec2 v_ndc;

void main() {
    vec2 uv = v_ndc * 0.5 + 0.5;  // texture units: v = 0 at the top row of the read-back image
    vec3 ray = world_from_view * vec3((uv - intrinsics.zw) / intrinsics.xy, 1.0);
    out_color = vec4(clamp(sky(normalize(ray)), 0.0, 1.0), 1.0);
    out_disparity = SKY_DISPARITY;
}

#else

uniform vec3 grass_color;
uniform vec3 forest_color;
uniform vec3 rock_color;
uniform vec3 sand_color;
uniform vec3 water_color;
uniform float tree_line;
uniform float snow_line;
uniform float water_level;

in vec3 v_world;
in vec3 v_normal;
in float v_ground;
in float v_view_z;

float hash(ivec2 c) {
    uint h = (uint(c.x) * 0x8DA6B343u) ^ (uint(c.y) * 0xD8163841u);
    h ^= h >> 15u;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12u;
    h *= 0x297A2D39u;
    h ^= h >> 15u;
    return float(h >> 8u) * (1.0 / 16777216.0);
}

float value_noise(vec2 p) {
    vec2 i = floor(p);
    vec2 f = p - i;
    vec2 w = f * f * (3.0 - 2.0 * f);
    ivec2 c = ivec2(i);
    float a = hash(c);
    float b = hash(c + ivec2(1, 0));
    float d = hash(c + ivec2(0, 1));
    float e = hash(c + ivec2(1, 1));
    return mix(mix(a, b, w.x), mix(d, e, w.x), w.y);
}

// Fractal noise in [0, 1] with base frequency `freq` (cycles per world unit); octaves finer than two pixels
// (`pixel` = world size of one pixel) fade to their mean so distant ground does not sparkle.
float fbm(vec2 p, float freq, int octaves, float pixel) {
    float sum = 0.0;
    float amp = 0.5;
    float norm = 0.0;
    for (int i = 0; i < octaves; ++i) {
        float visible = clamp(0.5 / (freq * pixel) - 1.0, 0.0, 1.0);
        sum += amp * mix(0.5, value_noise(p * freq + float(i) * 17.13), visible);
        norm += amp;
        amp *= 0.5;
        freq *= 2.03;
    }
    return sum / norm;
}

void main() {
    if (v_view_z <= 0.0) discard;
    vec3 n = normalize(v_normal);
    float flatness = dot(n, UP);  // 1 = level ground
    float h = -v_world.y;
    vec2 xz = v_world.xz;
    float pixel = max(length(fwidth(xz)), 1e-4);
    vec3 to_point = v_world - camera_position;
    float dist = length(to_point);
    vec3 view_dir = to_point / dist;

    float large = fbm(xz, 0.02, 3, pixel);
    float medium = fbm(xz, 0.25, 3, pixel);
    float fine = fbm(xz, 2.0, 5, pixel);
    float diffuse = max(dot(n, sun_direction), 0.0);
    vec3 ambient = mix(horizon_color, zenith_color, 0.4) * 0.6;
    vec3 color;

    bool water = v_ground < water_level - 1e-3;
    if (water) {
        float depth = water_level - v_ground;
        vec3 body = mix(mix(sand_color, water_color, 0.5), water_color, clamp(depth * 1.5, 0.0, 1.0));
        body *= sun_color * 0.6 + ambient;
        vec2 ripple = vec2(fbm(xz, 0.6, 3, pixel), fbm(xz + 31.7, 0.6, 3, pixel)) - 0.5;
        vec3 wave_normal = normalize(UP + vec3(ripple.x, 0.0, ripple.y) * 0.12);
        vec3 reflected = reflect(view_dir, wave_normal);
        reflected.y = min(reflected.y, -0.01);
        float cos_view = clamp(dot(-view_dir, UP), 0.0, 1.0);
        float fresnel = 0.02 + 0.98 * pow(1.0 - cos_view, 5.0);
        color = mix(body, sky(normalize(reflected)), clamp(fresnel + 0.15, 0.0, 1.0));
    } else {
        vec3 dry = mix(grass_color, vec3(0.55, 0.5, 0.3), 0.45);
        vec3 grass = mix(grass_color, dry, smoothstep(0.4, 0.75, large)) * (0.75 + 0.5 * medium) * (0.85 + 0.3 * fine);
        float forest = smoothstep(0.47, 0.55, large + 0.35 * (medium - 0.5))
                     * (1.0 - smoothstep(tree_line - 3.0, tree_line, h + 2.0 * (medium - 0.5)))
                     * smoothstep(0.7, 0.85, flatness);
        vec3 canopy = forest_color * (0.55 + 0.9 * fine) * (0.8 + 0.4 * medium);
        float steep = 1.0 - smoothstep(0.6, 0.82, flatness + 0.12 * (medium - 0.5));
        float alpine = smoothstep(tree_line, tree_line + 6.0, h + 4.0 * (medium - 0.5));
        float rock = max(steep, alpine * 0.85);
        float strata = fbm(vec2(xz.x + xz.y, h * 4.0), 0.4, 4, pixel);
        vec3 stone = rock_color * (0.45 + 0.7 * fine) * (0.6 + 0.8 * strata);
        float snow = smoothstep(snow_line - 1.5, snow_line + 1.5, h + 5.0 * (large - 0.5) + 3.0 * (medium - 0.5))
                   * smoothstep(0.45, 0.65, flatness);
        float beach = 1.0 - smoothstep(water_level + 0.15, water_level + 0.45, h + 0.3 * (medium - 0.5));
        vec3 albedo = mix(grass, canopy, forest);
        albedo = mix(albedo, stone, rock);
        albedo = mix(albedo, sand_color * (0.9 + 0.2 * fine), beach * (1.0 - rock));
        albedo = mix(albedo, vec3(0.9, 0.93, 0.97) * (0.85 + 0.2 * fine), snow);
        float occlusion = 0.75 + 0.25 * flatness - 0.25 * forest * (1.0 - fine);
        color = albedo * (sun_color * diffuse * 0.95 + ambient * occlusion * (1.0 + 0.4 * snow));
    }

    float haze = 1.0 - exp(-dist * haze_density);
    haze = max(haze, smoothstep(0.6 * haze_edge, 0.95 * haze_edge, dist));
    color = mix(color, sky_base(view_dir), haze);
    out_color = vec4(clamp(color, 0.0, 1.0), 1.0);
    out_disparity = 1.0 / v_view_z;
}

#endif
