#version 330 core
// Full-screen triangle for the sky pass at the far plane (depth 1), drawn after the meshes with a less-or-equal depth
// test: only pixels no mesh drew are shaded. No vertex buffers (the corner comes from gl_VertexID).

void main() {
    vec2 corner = vec2(float((gl_VertexID & 1) << 2) - 1.0, float((gl_VertexID & 2) << 1) - 1.0);
    gl_Position = vec4(corner, 1.0, 1.0);
}
