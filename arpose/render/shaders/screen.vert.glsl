#version 330
// A rectangle in source pixels (background image, overlays).
uniform mat4 u_proj;      // source pixels -> clip (mirrored or not)
uniform vec4 u_rect;      // x, y, w, h in source pixels
uniform vec4 u_uv_rect;   // the part of the texture drawn there: u, v, w, h
in vec2 in_pos;           // unit quad, (0,0) top-left
out vec2 v_uv;
void main() {
    v_uv = u_uv_rect.xy + in_pos * u_uv_rect.zw;
    gl_Position = u_proj * vec4(u_rect.xy + in_pos * u_rect.zw, 0.0, 1.0);
}
