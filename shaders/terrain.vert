#version 330 core
// Synthetic terrain for training data (infnat_core/data/terrain_render.py).
// Compiled twice: with SKY defined it draws a full-screen triangle for the sky; without, the terrain grid
// (world positions from a vertex buffer, see infnat_core/data/terrain_mesh.py).

#ifdef SKY

out vec2 v_ndc;

void main() {
    // Vertices 0, 1, 2 -> (-1,-1), (3,-1), (-1,3): one triangle covering the viewport.
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2)) * 2.0 - 1.0;
    v_ndc = p;
    gl_Position = vec4(p, 0.0, 1.0);
}

#else

in vec3 in_position;   // world position (y down)
in vec3 in_normal;     // unit normal facing up (-y)
in float in_ground;    // world height of the ground under any water

uniform mat4 view_from_world;   // 4x4 of the camera's cam_from_world pose
uniform mat4 clip_from_view;    // camera.gl_projection

out vec3 v_world;
out vec3 v_normal;
out float v_ground;
out float v_view_z;

void main() {
    vec4 view_point = view_from_world * vec4(in_position, 1.0);
    v_world = in_position;
    v_normal = in_normal;
    v_ground = in_ground;
    v_view_z = view_point.z;
    gl_Position = clip_from_view * view_point;
}

#endif
